#!/usr/bin/env escript
%% Erlang's ASN.1 codec as the oracle for our aligned PER: MODULE_DIR holds the module compiled
%% by `erlc -bper`; VECTORS holds terms {Type, Value, Ours}, Ours being our encoding of Value.
%% For each, Erlang must decode Ours to Value, and its own encoding of Value must be Ours, byte
%% for byte. A BIT STRING's value is written {bits, Count, Octets}. A term {Type, Ours} without a
%% value asks less: Erlang must decode Ours, and encode what it decoded to Ours again (our
%% encoding is then the one aligned PER gives that value; the value itself is tshark's to read).
%% Prints one line per disagreement, then "checked N".
main([Dir, Module, Vectors]) ->
    true = code:add_patha(Dir),
    Mod = list_to_atom(Module),
    {ok, Terms} = file:consult(Vectors),
    lists:foreach(fun(T) -> check(Mod, T) end, Terms),
    io:format("checked ~b~n", [length(Terms)]).

value({bits, N, Octets}) ->
    <<V:N/bitstring, _/bitstring>> = Octets,
    V;
value(V) -> V.

check(Mod, {Type, Ours}) ->
    case Mod:decode(Type, Ours) of
        {ok, Value} ->
            case Mod:encode(Type, Value) of
                {ok, Ours} -> ok;
                Theirs -> io:format("re-encode ~p ~w: Erlang ~w, ours ~w~n", [Type, Value, Theirs, Ours])
            end;
        Other -> io:format("decode ~p ~w: ~w~n", [Type, Ours, Other])
    end;
check(Mod, {Type, Written, Ours}) ->
    Value = value(Written),
    case Mod:decode(Type, Ours) of
        {ok, Value} -> ok;
        Other -> io:format("decode ~p ~w: ~w, not ~w~n", [Type, Ours, Other, Value])
    end,
    case Mod:encode(Type, Value) of
        {ok, Ours} -> ok;
        Theirs -> io:format("encode ~p ~w: Erlang ~w, ours ~w~n", [Type, Value, Theirs, Ours])
    end.
