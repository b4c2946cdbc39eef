#!/usr/bin/env escript
%% The anchor of bench/h323_per: Erlang's ASN.1 codec (erlang-asn1, `erlc -bper`, compiled from
%% the subsets in tests/vectors/per) doing the same round trips as ours, on the same values,
%% which it gets by decoding our octets:
%%  - a Setup: encode its four fastStart OpenLogicalChannels, encode the H323-UserInformation
%%    holding them, decode it, decode each OpenLogicalChannel;
%%  - a TerminalCapabilitySet: encode the MultimediaSystemControlMessage, decode it.
%% Usage: h323_per.escript MODULE_DIR SETUP.bin TCS.bin SECONDS
%% Prints "setup RATE" and "tcs RATE", round trips per second on one core.
%% Compiled, not interpreted (an escript's default): the harness (the funs, the list
%% comprehensions, setelement) interpreted took three quarters of a Setup round trip's time,
%% which made the anchor three and a half times slower than Erlang's codec is.
-mode(compile).

main([Dir, SetupFile, TcsFile, Seconds]) ->
    true = code:add_patha(Dir),
    {ok, SetupBytes} = file:read_file(SetupFile),
    {ok, TcsBytes} = file:read_file(TcsFile),
    Budget = list_to_integer(Seconds),
    {ok, Info} = 'H225Subset':decode('H323-UserInformation', SetupBytes),
    Pdu = element(2, Info),
    {setup, Setup} = element(2, Pdu),
    FastStart = [B || B <- tuple_to_list(Setup), is_list(B), B =/= [], is_binary(hd(B))],
    [Elements] = FastStart,
    Index = index_of(Elements, tuple_to_list(Setup), 1),
    Olcs = [begin {ok, V} = 'H245Subset':decode('OpenLogicalChannel', B), V end || B <- Elements],
    SetupRoundTrip = fun() ->
        Encoded = [begin {ok, B} = 'H245Subset':encode('OpenLogicalChannel', O), B end
                   || O <- Olcs],
        Value = setelement(2, Info,
                           setelement(2, Pdu, {setup, setelement(Index, Setup, Encoded)})),
        {ok, Bytes} = 'H225Subset':encode('H323-UserInformation', Value),
        {ok, Back} = 'H225Subset':decode('H323-UserInformation', Bytes),
        {setup, BackSetup} = element(2, element(2, Back)),
        [begin {ok, _} = 'H245Subset':decode('OpenLogicalChannel', B) end
         || B <- element(Index, BackSetup)],
        ok
    end,
    {ok, Tcs} = 'H245Subset':decode('MultimediaSystemControlMessage', TcsBytes),
    TcsRoundTrip = fun() ->
        {ok, Bytes} = 'H245Subset':encode('MultimediaSystemControlMessage', Tcs),
        {ok, _} = 'H245Subset':decode('MultimediaSystemControlMessage', Bytes),
        ok
    end,
    io:format("setup ~.1f~n", [rate(SetupRoundTrip, Budget)]),
    io:format("tcs ~.1f~n", [rate(TcsRoundTrip, Budget)]).

index_of(X, [X | _], I) -> I;
index_of(X, [_ | T], I) -> index_of(X, T, I + 1).

%% Round trips per second: a first run sizes the count to fill the budget, the second is timed.
rate(F, Budget) ->
    {Small, _} = timer:tc(fun() -> repeat(F, 1000) end),
    Count = max(1000, round(Budget * 1000000 * 1000 / max(Small, 1))),
    {Micros, _} = timer:tc(fun() -> repeat(F, Count) end),
    Count * 1000000 / Micros.

repeat(_, 0) -> ok;
repeat(F, N) -> F(), repeat(F, N - 1).
