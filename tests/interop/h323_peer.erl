%% A scripted H.323 peer built on Erlang's ASN.1 codec (erlang-asn1, `erlc -bper` of
%% tests/vectors/per/H225Subset.asn1): what sipp is for SIP. Every message it sends is encoded
%% by Erlang, every answer decoded by Erlang, so it shares no code with Switchboard's codec.
%%
%% Compile: erlc -bper H225Subset.asn1 H245Subset.asn1 && erlc -I . h323_peer.erl
%% Run:     erl -noshell -pa . -s h323_peer main SCENARIO HOST PORT [GK_HOST GK_PORT ALIAS]
%%              -s init stop
%%          With a gatekeeper's address and an alias, the peer first registers there as ALIAS
%%          (an h323-ID) with HOST:PORT as its call signalling address (prints "ok registered"),
%%          runs the scenario, and unregisters after it.
%%
%% Scenarios:
%%   gatekeeper  RAS against a gatekeeper at HOST:PORT: discovery, two endpoints registered,
%%               a duplicate alias refused, a keep-alive, admission to a registered alias and
%%               refusal of an unknown one, bandwidth, disengage, location, a datagram it
%%               cannot read, and unregistration. Prints "ok STEP" per step, or "FAIL STEP:
%%               what came" and stops.
%%   endpoint    The gatekeeper for an endpoint that registers with it: listens on HOST:PORT
%%               (PORT 0: any; prints "listening PORT"), confirms its discovery and
%%               registration with a time to live of 2 s, admits its call, takes its
%%               keep-alive, then asks for its status (IRQ), drops its call (DRQ) and
%%               withdraws its registration (URQ).
%%   call-in     Calls the endpoint at HOST:PORT on TCP: a Setup with Fast Connect proposals
%%               for G.711 µ-law and H.245 tunnelling; takes its CallProceeding, its Alerting
%%               with the fastStart answer, its Connect and the capability set it tunnels;
%%               sends the digit 5 as a tunnelled UserInputIndication, then, a second later,
%%               ReleaseComplete.
%%   call-in-h245  Calls without fastStart or tunnelling: takes the H.245 address in the
%%               Connect, connects there, answers the capability set and master-slave
%%               determination, acknowledges the channel Switchboard opens (audio to port
%%               7000) and opens its own, which Switchboard must accept; then hangs up.
%%   call-out    Is called: listens on HOST:PORT (prints "listening PORT"), takes a Setup
%%               whose fastStart proposes G.711 µ-law both ways, answers it with
%%               CallProceeding, Alerting carrying the fastStart answer and Connect, and waits
%%               for the caller's ReleaseComplete.
%%   call-in-audio  Calls with Fast Connect proposals for G.711 µ-law, its RTP on a port of its
%%               own (it prints whether the answer came in a Progress or an Alerting); once
%%               connected, sends 50 packets (1 s) of a 1 kHz tone to the address
%%               of Switchboard's fastStart answer, gathers what comes back from there, and
%%               checks that it hears the tone (an echo room sends each caller itself); then
%%               hangs up.
%%   call-in-tone  Calls as call-in-audio (the number $H323_PEER_DIAL, 2002 unless told), but
%%               sends a tone of $H323_PEER_TONE Hz (1000) for $H323_PEER_SECONDS (6) and
%%               writes what comes back to the WAV file $H323_PEER_RECORD (8 kHz, 16-bit), for
%%               the test to measure what it heard. With $H323_PEER_CODEC g722 or g729 it
%%               speaks G.722 or G.729 instead: it sends the tone encoded in $H323_PEER_ENCODED
%%               and records what it receives as it came (call-out-tone likewise).
%%   call-in-tunnelled-audio  Calls without Fast Connect but with H.245 tunnelling: answers
%%               the capability set and master-slave determination tunnelled in the call
%%               signalling, acknowledges the channel Switchboard opens (audio to its own RTP
%%               port) and opens its own; then exchanges the tone as call-in-audio and hangs up.
%%   call-in-h245-audio  As call-in-tunnelled-audio, but with neither Fast Connect nor
%%               tunnelling: H.245 on the connection to the address in the Connect.
%%   call-in-malformed  Sends a Setup whose User-user element cannot be read, and must be
%%               released with the Q.850 cause 100 (invalid information element contents).
%%   call-in-hold  Calls as call-in (Fast Connect, tunnelling); once connected, holds the call
%%               with the empty capability set (H.323 §8.4.6), resumes it half a second later
%%               with its G.711 µ-law set, and hangs up half a second after that.
%%   call-out-forwarded  Is called, as call-out, but forwards the call (Facility, reason
%%               callForwarded) to a second address of its own and the number 4004; takes the
%%               caller's ReleaseComplete, then its new Setup there, answers it with Fast
%%               Connect and waits for the caller to hang up.
%%   call-out-audio  Is called, as call-out (it prints "called by" the Setup's sourceAddress),
%%               but answers with its RTP port, exchanges the tone
%%               with the address the Setup's receive proposal gave, and hangs up itself.
%%   call-out-tunnelled-audio  Is called, but refuses Fast Connect (no answer to its
%%               proposals) and tunnels H.245: takes the caller's capability set and
%%               determination, acknowledges its channel, opens its own, exchanges the tone with
%%               where the caller receives, and hangs up itself.
%%   call-out-h245-audio  As call-out-tunnelled-audio, but without tunnelling: its Connect
%%               gives an H.245 address, where it takes the caller's connection.
%%   call-out-progress  Is called, and answers its fastStart in a Progress (no Alerting): its
%%               tone must come back before it connects (early media); then Connect, and it
%%               hangs up.
%%   call-out-tone  Is called, as call-out-audio, but plays and records as call-in-tone does,
%%               and hangs up itself.
%%   call-out-busy  Is called, as call-out, and refuses: CallProceeding, then ReleaseComplete
%%               with the Q.850 cause 17 (user busy).
%%   call-out-digit  Is called, as call-out, but answers with H.245 tunnelling, waits for the
%%               digit $H323_PEER_DIGIT (7) in a tunnelled UserInputIndication, and hangs up.
%%   call-out-hold  Is called, as call-out, but answers with H.245 tunnelling; half a second
%%               later holds the caller with the empty capability set, resumes it 1.5 s later
%%               with its G.711 µ-law set, and hangs up a second after that.
%%   call-out-drop  Is called, as call-out, answers, and half a second later closes its TCP
%%               connection without a ReleaseComplete (a room system that fails).
%%   call-out-held  Is called, as call-out-digit, then waits to be held (the caller's empty
%%               capability set, H.323 §8.4.6) and resumed (a set with capabilities again),
%%               acknowledging each set, and hangs up.
-module(h323_peer).
-export([main/1]).
-include("H225Subset.hrl").
-include("H245Subset.hrl").

-define(PROTOCOL, {0, 0, 8, 2250, 0, 7}).
-define(TIMEOUT, 3000).
-define(TONE_PACKETS, 50). % 1 s of 20 ms packets
-define(TONE_HEARD, 20).   % packets of it that must come back: the rest is the jitter buffer's

main([Scenario, Host, Port]) ->
    try run(Scenario, where(Host, Port)) of
        done -> io:format("done~n")
    catch
        throw:{fail, Step, What} -> io:format("FAIL ~s: ~p~n", [Step, What])
    end;
main([Scenario, Host, Port, GkHost, GkPort, Alias]) ->
    Where = where(Host, Port),
    Gk = where(GkHost, GkPort),
    try
        {Socket, Id} = register_with(Gk, Where, atom_to_list(Alias)),
        done = run(Scenario, Where),
        expect("unregistered", ask(Socket, Gk, unregistration(2, signalling(Where), Id)),
               fun({unregistrationConfirm, _}) -> true end),
        io:format("done~n")
    catch
        throw:{fail, Step, What} -> io:format("FAIL ~s: ~p~n", [Step, What])
    end.

where(Host, Port) ->
    {ok, Address} = inet:parse_address(atom_to_list(Host)),
    {Address, list_to_integer(atom_to_list(Port))}.

signalling({Address, Port}) -> transport(Address, Port).

%% Registers Alias with the gatekeeper at Gk, calls for it to come to Where: {Socket, its
%% endpoint identifier}.
register_with(Gk, Where, Alias) ->
    {ok, Socket} = gen_udp:open(0, [binary, {active, false}, {ip, element(1, Where)}]),
    {ok, RasPort} = inet:port(Socket),
    Ras = transport(element(1, Where), RasPort),
    {registrationConfirm, #'RegistrationConfirm'{endpointIdentifier = Id}} =
        expect("registered", ask(Socket, Gk, registration(1, signalling(Where), Ras, [], Alias)),
               fun({registrationConfirm, _}) -> true end),
    {Socket, Id}.

run(gatekeeper, Gk) ->
    {ok, Socket} = gen_udp:open(0, [binary, {active, false}, {ip, {127, 0, 0, 1}}]),
    {ok, RasPort} = inet:port(Socket),
    Ras = transport({127, 0, 0, 1}, RasPort),
    Alice = transport({127, 0, 0, 1}, 31720),
    Bob = transport({127, 0, 0, 1}, 32720),

    expect("discovery", ask(Socket, Gk, {gatekeeperRequest,
        #'GatekeeperRequest'{requestSeqNum = 1, protocolIdentifier = ?PROTOCOL,
                             rasAddress = Ras, endpointType = terminal(),
                             endpointAlias = [{'h323-ID', "alice"}]}}),
        fun({gatekeeperConfirm, #'GatekeeperConfirm'{requestSeqNum = 1,
                                                     gatekeeperIdentifier = "switchboard"}}) -> true end),

    {registrationConfirm, #'RegistrationConfirm'{endpointIdentifier = AliceId, timeToLive = Ttl}} =
        expect("registration of alice", ask(Socket, Gk, registration(2, Alice, Ras, ["1001"], "alice")),
               fun({registrationConfirm, #'RegistrationConfirm'{requestSeqNum = 2}}) -> true end),
    true = Ttl =< 60,
    {registrationConfirm, #'RegistrationConfirm'{endpointIdentifier = BobId}} =
        expect("registration of bob", ask(Socket, Gk, registration(3, Bob, Ras, ["2002"], "bob")),
               fun({registrationConfirm, _}) -> true end),
    expect("a duplicate alias refused",
           ask(Socket, Gk, registration(4, transport({127, 0, 0, 1}, 33720), Ras, ["1001"], "mallory")),
           fun({registrationReject, #'RegistrationReject'{
                   rejectReason = {duplicateAlias, [{dialedDigits, "1001"}]}}}) -> true end),
    expect("keep-alive", ask(Socket, Gk, {registrationRequest,
        (registration_request(5, Alice, Ras, [], ""))#'RegistrationRequest'{
            keepAlive = true, endpointIdentifier = AliceId, terminalAlias = asn1_NOVALUE}}),
        fun({registrationConfirm, #'RegistrationConfirm'{requestSeqNum = 5,
                                                         endpointIdentifier = Id}}) -> Id =:= AliceId end),

    CallId = #'CallIdentifier'{guid = list_to_binary(lists:seq(1, 16))},
    Conference = list_to_binary(lists:seq(101, 116)),
    expect("admission to bob's number", ask(Socket, Gk, admission(6, AliceId, "2002", CallId, Conference)),
           fun({admissionConfirm, #'AdmissionConfirm'{destCallSignalAddress = Where}}) ->
                   Where =:= Bob end),
    expect("admission to nobody refused", ask(Socket, Gk, admission(7, AliceId, "9999", CallId, Conference)),
           fun({admissionReject, #'AdmissionReject'{rejectReason = {calledPartyNotRegistered, 'NULL'}}}) -> true end),
    expect("bandwidth", ask(Socket, Gk, {bandwidthRequest,
        #'BandwidthRequest'{requestSeqNum = 8, endpointIdentifier = AliceId, conferenceID = Conference,
                            callReferenceValue = 77, bandWidth = 640, callIdentifier = CallId,
                            answeredCall = false}}),
        fun({bandwidthConfirm, #'BandwidthConfirm'{bandWidth = 640}}) -> true end),
    expect("disengage", ask(Socket, Gk, {disengageRequest,
        #'DisengageRequest'{requestSeqNum = 9, endpointIdentifier = AliceId, conferenceID = Conference,
                            callReferenceValue = 77, disengageReason = {normalDrop, 'NULL'},
                            callIdentifier = CallId, answeredCall = false}}),
        fun({disengageConfirm, #'DisengageConfirm'{requestSeqNum = 9}}) -> true end),
    expect("location", ask(Socket, Gk, {locationRequest,
        #'LocationRequest'{requestSeqNum = 10, destinationInfo = [{'h323-ID', "bob"}],
                           replyAddress = Ras, canMapAlias = false, canMapSrcAlias = false}}),
        fun({locationConfirm, #'LocationConfirm'{callSignalAddress = Where}}) -> Where =:= Bob end),

    {ok, Rrq} = 'H225Subset':encode('RasMessage', registration(11, Alice, Ras, ["1001"], "alice")),
    Cut = binary:part(Rrq, 0, 8),
    ok = gen_udp:send(Socket, element(1, Gk), element(2, Gk), Cut),
    expect("a datagram it cannot read", receive_ras(Socket),
           fun({unknownMessageResponse, #'UnknownMessageResponse'{requestSeqNum = 11,
                                                                 messageNotUnderstood = M}}) ->
                   M =:= Cut end),

    expect("unregistration", ask(Socket, Gk, unregistration(12, Alice, AliceId)),
           fun({unregistrationConfirm, #'UnregistrationConfirm'{requestSeqNum = 12}}) -> true end),
    expect("unregistration of one not registered", ask(Socket, Gk, unregistration(13, Alice, AliceId)),
           fun({unregistrationReject, #'UnregistrationReject'{
                   rejectReason = {notCurrentlyRegistered, 'NULL'}}}) -> true end),
    expect("bob still registered", ask(Socket, Gk, unregistration(14, Bob, BobId)),
           fun({unregistrationConfirm, _}) -> true end),
    done;

run(endpoint, {Address, Port}) ->
    {ok, Socket} = gen_udp:open(Port, [binary, {active, false}, {ip, Address}]),
    {ok, Bound} = inet:port(Socket),
    io:format("listening ~b~n", [Bound]),
    Self = transport(Address, Bound),
    {{gatekeeperRequest, Grq}, Peer} = expect("discovery", receive_from(Socket),
        fun({{gatekeeperRequest, #'GatekeeperRequest'{endpointAlias = Aliases}}, _}) ->
                lists:member({'h323-ID', "switchboard"}, Aliases) end),
    reply(Socket, Peer, {gatekeeperConfirm, #'GatekeeperConfirm'{
        requestSeqNum = Grq#'GatekeeperRequest'.requestSeqNum, protocolIdentifier = ?PROTOCOL,
        gatekeeperIdentifier = "erlang-gk", rasAddress = Self}}),
    {{registrationRequest, Rrq}, _} = expect("registration", receive_from(Socket),
        fun({{registrationRequest, #'RegistrationRequest'{
                keepAlive = false, gatekeeperIdentifier = "erlang-gk",
                terminalAlias = Aliases, callSignalAddress = [_]}}, _}) ->
                lists:member({dialedDigits, "1001"}, Aliases) end),
    reply(Socket, Peer, {registrationConfirm, #'RegistrationConfirm'{
        requestSeqNum = Rrq#'RegistrationRequest'.requestSeqNum, protocolIdentifier = ?PROTOCOL,
        callSignalAddress = [], gatekeeperIdentifier = "erlang-gk", endpointIdentifier = "SB-1",
        timeToLive = 2, willRespondToIRR = false, maintainConnection = false}}),
    {{admissionRequest, Arq}, _} = expect("admission", receive_from(Socket),
        fun({{admissionRequest, #'AdmissionRequest'{endpointIdentifier = "SB-1",
                                                    destinationInfo = [{dialedDigits, "2002"}]}}, _}) ->
                true end),
    reply(Socket, Peer, {admissionConfirm, #'AdmissionConfirm'{
        requestSeqNum = Arq#'AdmissionRequest'.requestSeqNum, bandWidth = 640,
        callModel = {direct, 'NULL'}, destCallSignalAddress = transport({127, 0, 0, 1}, 41720),
        willRespondToIRR = false,
        uuiesRequested = #'UUIEsRequested'{setup = false, callProceeding = false, connect = false,
                                           alerting = false, information = false,
                                           releaseComplete = false, facility = false,
                                           progress = false, empty = false}}}),
    {{registrationRequest, KeepAlive}, _} = expect("keep-alive", receive_from(Socket),
        fun({{registrationRequest, #'RegistrationRequest'{keepAlive = true,
                                                          endpointIdentifier = "SB-1"}}, _}) ->
                true end),
    reply(Socket, Peer, {registrationConfirm, #'RegistrationConfirm'{
        requestSeqNum = KeepAlive#'RegistrationRequest'.requestSeqNum,
        protocolIdentifier = ?PROTOCOL, callSignalAddress = [], endpointIdentifier = "SB-1",
        timeToLive = 60, willRespondToIRR = false, maintainConnection = false}}),
    reply(Socket, Peer, {infoRequest, #'InfoRequest'{requestSeqNum = 500, callReferenceValue = 0,
                                                     callIdentifier = #'CallIdentifier'{guid = <<0:128>>}}}),
    expect("status", receive_from(Socket),
        fun({{infoRequestResponse, #'InfoRequestResponse'{requestSeqNum = 500,
                                                          endpointIdentifier = "SB-1"}}, _}) -> true end),
    reply(Socket, Peer, {disengageRequest, #'DisengageRequest'{
        requestSeqNum = 501, endpointIdentifier = "SB-1", conferenceID = <<0:128>>,
        callReferenceValue = 1, disengageReason = {forcedDrop, 'NULL'},
        callIdentifier = Arq#'AdmissionRequest'.callIdentifier, answeredCall = false}}),
    expect("drop", receive_from(Socket),
        fun({{disengageConfirm, #'DisengageConfirm'{requestSeqNum = 501}}, _}) -> true end),
    reply(Socket, Peer, {unregistrationRequest, #'UnregistrationRequest'{
        requestSeqNum = 502, callSignalAddress = Rrq#'RegistrationRequest'.callSignalAddress,
        endpointIdentifier = "SB-1"}}),
    expect("withdrawal", receive_from(Socket),
        fun({{unregistrationConfirm, #'UnregistrationConfirm'{requestSeqNum = 502}}, _}) -> true end),
    done;

run('call-in', {Address, Port}) ->
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    CallId = #'CallIdentifier'{guid = list_to_binary(lists:seq(1, 16))},
    Setup = #'Setup-UUIE'{
        protocolIdentifier = ?PROTOCOL, sourceAddress = [{dialedDigits, "1001"}],
        sourceInfo = terminal(), destinationAddress = [{dialedDigits, "2002"}], activeMC = false,
        conferenceID = list_to_binary(lists:seq(101, 116)), conferenceGoal = {create, 'NULL'},
        callType = {pointToPoint, 'NULL'}, callIdentifier = CallId,
        fastStart = [olc(1, transmit, 5001), olc(2, 'receive', 5000)],
        mediaWaitForConnect = false, canOverlapSend = false, multipleCalls = false,
        maintainConnection = false},
    send_q931(Socket, 5, 77, false, {setup, Setup}, true, []),
    expect("call proceeding", recv_q931(Socket),
           fun({2, 77, true, {callProceeding, _}, _}) -> true end),
    expect("alerting with the fastStart answer", recv_q931(Socket),
           fun({1, 77, true, {alerting, #'Alerting-UUIE'{fastStart = Answer}}, _}) ->
                   answers_both_ways(Answer) end),
    expect("connect", recv_q931(Socket), fun({7, 77, true, {connect, _}, _}) -> true end),
    expect("tunnelled capabilities", recv_q931(Socket),
           fun({16#62, 77, true, {empty, _}, Control}) ->
                   lists:any(fun(B) ->
                                 case 'H245Subset':decode('MultimediaSystemControlMessage', B) of
                                     {ok, {request, {terminalCapabilitySet, _}}} -> true;
                                     _ -> false
                                 end
                             end, Control) end),
    {ok, Digit} = 'H245Subset':encode('MultimediaSystemControlMessage',
        {indication, {userInput, {signal, #'UserInputIndication_signal'{signalType = "5",
                                                                        duration = 160}}}}),
    send_q931(Socket, 16#62, 77, false, {empty, 'NULL'}, true, [Digit]),
    timer:sleep(1000), % the digit's RFC 4733 events (160 ms, then three ends) before the call ends
    send_q931(Socket, 16#5a, 77, false,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                         callIdentifier = CallId}},
              true, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done;

run('call-in-h245', {Address, Port}) ->
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    CallId = #'CallIdentifier'{guid = list_to_binary(lists:seq(17, 32))},
    Setup = #'Setup-UUIE'{
        protocolIdentifier = ?PROTOCOL, sourceAddress = [{dialedDigits, "1001"}],
        sourceInfo = terminal(), destinationAddress = [{dialedDigits, "2002"}], activeMC = false,
        conferenceID = list_to_binary(lists:seq(101, 116)), conferenceGoal = {create, 'NULL'},
        callType = {pointToPoint, 'NULL'}, callIdentifier = CallId,
        mediaWaitForConnect = false, canOverlapSend = false, multipleCalls = false,
        maintainConnection = false},
    send_q931(Socket, 5, 78, false, {setup, Setup}, false, []),
    expect("call proceeding", recv_q931(Socket), fun({2, 78, true, {callProceeding, _}, _}) -> true end),
    expect("alerting", recv_q931(Socket), fun({1, 78, true, {alerting, _}, _}) -> true end),
    {7, 78, true, {connect, #'Connect-UUIE'{h245Address = {ipAddress, H245}}}, _} =
        expect("connect with an H.245 address", recv_q931(Socket),
               fun({7, 78, true, {connect, #'Connect-UUIE'{h245Address = {ipAddress, _}}}, _}) -> true end),
    #'TransportAddress_ipAddress'{ip = <<A, B, C, D>>, port = H245Port} = H245,
    {ok, Control} = gen_tcp:connect({A, B, C, D}, H245Port, [binary, {packet, tpkt}, {active, false}]),
    negotiate_audio({separate, Control}, 7000),
    send_q931(Socket, 16#5a, 78, false,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                         callIdentifier = CallId}},
              false, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done;

run('call-in-audio', {Address, Port}) ->
    {Rtp, Socket, CallId, Answer} = call_in_with_audio(Address, Port),
    expect("its own tone heard back", tone_exchange(Rtp, sends_to(Answer)),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    hang_up(Socket, CallId);

run('call-in-tone', {Address, Port}) ->
    {Rtp, Socket, CallId, Answer} = call_in_with_audio(Address, Port),
    tone_and_record(Rtp, sends_to(Answer)),
    hang_up(Socket, CallId);

run('call-in-tunnelled-audio', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    CallId = call_without_fast_start(Socket, true),
    {To, Seen} = negotiate_audio({tunnelled, Socket, 79, false}, RtpPort),
    maps:is_key(connect, Seen) orelse
        expect("connect", h245_await({tunnelled, Socket, 79, false}, [connect]),
               fun(#{connect := _}) -> true end),
    expect("its own tone heard back", tone_exchange(Rtp, To),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    hang_up(Socket, CallId);

run('call-in-h245-audio', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    CallId = call_without_fast_start(Socket, false),
    expect("alerting", recv_q931(Socket), fun({1, 79, true, {alerting, _}, _}) -> true end),
    {7, 79, true, {connect, #'Connect-UUIE'{h245Address = {ipAddress, H245}}}, _} =
        expect("connect with an H.245 address", recv_q931(Socket),
               fun({7, 79, true, {connect, #'Connect-UUIE'{h245Address = {ipAddress, _}}}, _}) -> true end),
    #'TransportAddress_ipAddress'{ip = <<A, B, C, D>>, port = H245Port} = H245,
    {ok, Control} = gen_tcp:connect({A, B, C, D}, H245Port, [binary, {packet, tpkt}, {active, false}]),
    {To, _} = negotiate_audio({separate, Control}, RtpPort),
    expect("its own tone heard back", tone_exchange(Rtp, To),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    hang_up(Socket, CallId);

run('call-in-malformed', {Address, Port}) ->
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    % A Setup whose User-user element holds no H323-UserInformation: a PER encoding cut short.
    Message = <<8, 2, 0:1, 80:15, 5, 4, 3, 16#80, 16#90, 16#A2, 16#7E, 0, 4, 5, 16#20, 16#FF, 16#FF>>,
    ok = gen_tcp:send(Socket, <<3, 0, (byte_size(Message) + 4):16, Message/binary>>),
    expect("released with cause 100 (invalid information element contents)",
           release_cause(Socket), fun(Cause) -> Cause =:= 100 end),
    done;

run('call-in-hold', {Address, Port}) ->
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    CallId = #'CallIdentifier'{guid = list_to_binary(lists:seq(49, 64))},
    Setup = #'Setup-UUIE'{
        protocolIdentifier = ?PROTOCOL, sourceAddress = [{dialedDigits, "1001"}],
        sourceInfo = terminal(), destinationAddress = [{dialedDigits, "2002"}], activeMC = false,
        conferenceID = list_to_binary(lists:seq(101, 116)), conferenceGoal = {create, 'NULL'},
        callType = {pointToPoint, 'NULL'}, callIdentifier = CallId,
        fastStart = [olc(1, transmit, 5001), olc(2, 'receive', 5000)],
        mediaWaitForConnect = false, canOverlapSend = false, multipleCalls = false,
        maintainConnection = false},
    send_q931(Socket, 5, 80, false, {setup, Setup}, true, []),
    expect("call proceeding", recv_q931(Socket),
           fun({2, 80, true, {callProceeding, _}, _}) -> true end),
    expect("alerting", recv_q931(Socket), fun({1, 80, true, {alerting, _}, _}) -> true end),
    expect("connect", recv_q931(Socket), fun({7, 80, true, {connect, _}, _}) -> true end),
    send_capabilities(Socket, 80, false, 1, empty),
    timer:sleep(500),
    send_capabilities(Socket, 80, false, 2, g711),
    timer:sleep(500),
    send_q931(Socket, 16#5a, 80, false,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                         callIdentifier = CallId}},
              true, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done;

run('call-out', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, answer(Setup#'Setup-UUIE'.fastStart, 6000)),
    expect("released by the caller", recv_q931(Socket),
           fun({16#5a, C, false, {releaseComplete, _}, _}) -> C =:= Crv end),
    done;

run('call-out-digit', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, answer(Setup#'Setup-UUIE'.fastStart, 6000), true),
    Digit = os:getenv("H323_PEER_DIGIT", "7"),
    expect("the digit " ++ Digit, await_digit(Socket), fun({digit, D}) -> D =:= Digit end),
    hang_up_called(Socket, Crv, Setup);

run('call-out-held', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, answer(Setup#'Setup-UUIE'.fastStart, 6000), true),
    expect("held", await_capabilities(Socket, Crv, empty), fun(empty) -> true end),
    expect("resumed", await_capabilities(Socket, Crv, full), fun(full) -> true end),
    hang_up_called(Socket, Crv, Setup);

run('call-out-hold', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, answer(Setup#'Setup-UUIE'.fastStart, 6000), true),
    timer:sleep(500),
    send_capabilities(Socket, Crv, true, 1, empty),
    timer:sleep(1500),
    send_capabilities(Socket, Crv, true, 2, g711),
    timer:sleep(1000),
    hang_up_called(Socket, Crv, Setup);

run('call-out-drop', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, answer(Setup#'Setup-UUIE'.fastStart, 6000)),
    timer:sleep(500),
    ok = gen_tcp:close(Socket),
    done;

run('call-out-busy', {Address, Port}) ->
    {Socket, Crv, Setup} = called(Address, Port),
    CallId = Setup#'Setup-UUIE'.callIdentifier,
    send_q931(Socket, 2, Crv, true,
              {callProceeding, #'CallProceeding-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                       destinationInfo = terminal(),
                                                       callIdentifier = CallId,
                                                       multipleCalls = false,
                                                       maintainConnection = false}}, false, []),
    send_q931(Socket, 16#5a, Crv, true,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                         callIdentifier = CallId}},
              false, [], 17),
    expect("closed after the refusal", drain(Socket), fun(closed) -> true end),
    done;

run('call-out-forwarded', {Address, Port}) ->
    {ok, Second} = gen_tcp:listen(0, [binary, {packet, tpkt}, {active, false}, {ip, Address},
                                      {reuseaddr, true}]),
    {ok, SecondPort} = inet:port(Second),
    {Socket, Crv, Setup} = called(Address, Port),
    send_q931(Socket, 16#62, Crv, true,
              {facility, #'Facility-UUIE'{protocolIdentifier = ?PROTOCOL,
                                           alternativeAddress = transport(Address, SecondPort),
                                           alternativeAliasAddress = [{dialedDigits, "4004"}],
                                           reason = {callForwarded, 'NULL'},
                                           callIdentifier = Setup#'Setup-UUIE'.callIdentifier,
                                           multipleCalls = false, maintainConnection = false}},
              false, []),
    expect("released by the caller after the forward", recv_q931(Socket),
           fun({16#5a, C, false, {releaseComplete, _}, _}) -> C =:= Crv end),
    {ok, Forwarded} = gen_tcp:accept(Second, ?TIMEOUT),
    {5, Crv2, false, {setup, Setup2}, _} =
        expect("a setup for 4004 at the forwarded address", recv_q931(Forwarded),
               fun({5, _, false, {setup, #'Setup-UUIE'{destinationAddress = [{dialedDigits, "4004"}],
                                                        fastStart = P}}, _}) ->
                       proposes_both_ways(P) end),
    answer_call(Forwarded, Crv2, Setup2, answer(Setup2#'Setup-UUIE'.fastStart, 6000)),
    expect("released by the caller", await_release(Forwarded),
           fun({16#5a, C, false, {releaseComplete, _}, _}) -> C =:= Crv2 end),
    done;

run('call-out-tunnelled-audio', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, asn1_NOVALUE, true),
    {To, _} = negotiate_audio({tunnelled, Socket, Crv, true}, RtpPort),
    expect("its own tone heard back", tone_exchange(Rtp, To),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    release_called(Socket, Crv, Setup);

run('call-out-h245-audio', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {ok, H245Listen} = gen_tcp:listen(0, [binary, {packet, tpkt}, {active, false}, {ip, Address}]),
    {ok, H245Port} = inet:port(H245Listen),
    {Socket, Crv, Setup} = called(Address, Port),
    answer_call(Socket, Crv, Setup, asn1_NOVALUE, false, transport(Address, H245Port)),
    {ok, Control} = gen_tcp:accept(H245Listen, ?TIMEOUT),
    {To, _} = negotiate_audio({separate, Control}, RtpPort),
    expect("its own tone heard back", tone_exchange(Rtp, To),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    release_called(Socket, Crv, Setup);

run('call-out-progress', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {Socket, Crv, Setup} = called(Address, Port),
    Proposals = Setup#'Setup-UUIE'.fastStart,
    send_q931(Socket, 3, Crv, true,
              {progress, #'Progress-UUIE'{protocolIdentifier = ?PROTOCOL, destinationInfo = terminal(),
                                           callIdentifier = Setup#'Setup-UUIE'.callIdentifier,
                                           fastStart = answer(Proposals, RtpPort),
                                           multipleCalls = false, maintainConnection = false}},
              false, []),
    expect("its own tone heard back before it answers", tone_exchange(Rtp, receives_at(Proposals)),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    connect_call(Socket, Crv, Setup, false, asn1_NOVALUE),
    timer:sleep(300),
    release_called(Socket, Crv, Setup);

run('call-out-tone', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {Socket, Crv, Setup} = called(Address, Port),
    Proposals = Setup#'Setup-UUIE'.fastStart,
    answer_call(Socket, Crv, Setup, answer(Proposals, RtpPort)),
    tone_and_record(Rtp, receives_at(Proposals)),
    release_called(Socket, Crv, Setup);

run('call-out-audio', {Address, Port}) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {Socket, Crv, Setup} = called(Address, Port),
    io:format("called by ~p~n", [Setup#'Setup-UUIE'.sourceAddress]),
    Proposals = Setup#'Setup-UUIE'.fastStart,
    answer_call(Socket, Crv, Setup, answer(Proposals, RtpPort)),
    expect("its own tone heard back", tone_exchange(Rtp, receives_at(Proposals)),
           fun({Heard, 0}) -> Heard >= ?TONE_HEARD end),
    release_called(Socket, Crv, Setup).

%% The callee's ReleaseComplete, then the caller's close.
release_called(Socket, Crv, Setup) ->
    send_q931(Socket, 16#5a, Crv, true,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                  callIdentifier = Setup#'Setup-UUIE'.callIdentifier}},
              false, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done.

%% Listens on Port (prints "listening PORT"), takes one call and its Setup with fastStart.
called(Address, Port) ->
    {ok, Listen} = gen_tcp:listen(Port, [binary, {packet, tpkt}, {active, false}, {ip, Address},
                                         {reuseaddr, true}]),
    {ok, Bound} = inet:port(Listen),
    io:format("listening ~b~n", [Bound]),
    {ok, Socket} = gen_tcp:accept(Listen, ?TIMEOUT),
    {5, Crv, false, {setup, Setup}, _} =
        expect("setup with fastStart", recv_q931(Socket),
               fun({5, _, false, {setup, #'Setup-UUIE'{fastStart = Proposals}}, _}) ->
                       proposes_both_ways(Proposals) end),
    {Socket, Crv, Setup}.

%% CallProceeding, Alerting with the fastStart answer, Connect.
%% A capability set tunnelled in a Facility: empty (hold, H.323 §8.4.6) or G.711 µ-law.
send_capabilities(Socket, Crv, FromDestination, Sequence, Which) ->
    Empty = #'TerminalCapabilitySet'{sequenceNumber = Sequence,
                                     protocolIdentifier = {0, 0, 8, 245, 0, 15}},
    Set = case Which of
              empty -> Empty;
              g711 -> Empty#'TerminalCapabilitySet'{
                  capabilityTable = [#'CapabilityTableEntry'{capabilityTableEntryNumber = 1,
                      capability = {receiveAudioCapability, {g711Ulaw64k, 20}}}],
                  capabilityDescriptors = [#'CapabilityDescriptor'{capabilityDescriptorNumber = 0,
                                                                   simultaneousCapabilities = [[1]]}]}
          end,
    {ok, Message} = 'H245Subset':encode('MultimediaSystemControlMessage',
                                        {request, {terminalCapabilitySet, Set}}),
    send_q931(Socket, 16#62, Crv, FromDestination, {empty, 'NULL'}, true, [Message]).

answer_call(Socket, Crv, Setup, Answer) -> answer_call(Socket, Crv, Setup, Answer, false).

answer_call(Socket, Crv, Setup, Answer, Tunnelling) ->
    answer_call(Socket, Crv, Setup, Answer, Tunnelling, asn1_NOVALUE).

%% CallProceeding, Alerting with the fastStart answer (asn1_NOVALUE: none) and Connect, with
%% H245Address in the Connect (asn1_NOVALUE: none).
answer_call(Socket, Crv, Setup, Answer, Tunnelling, H245Address) ->
    CallId = Setup#'Setup-UUIE'.callIdentifier,
    send_q931(Socket, 2, Crv, true,
              {callProceeding, #'CallProceeding-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                       destinationInfo = terminal(),
                                                       callIdentifier = CallId,
                                                       multipleCalls = false,
                                                       maintainConnection = false}}, Tunnelling, []),
    send_q931(Socket, 1, Crv, true,
              {alerting, #'Alerting-UUIE'{protocolIdentifier = ?PROTOCOL,
                                           destinationInfo = terminal(), callIdentifier = CallId,
                                           fastStart = Answer, multipleCalls = false,
                                           maintainConnection = false}}, Tunnelling, []),
    connect_call(Socket, Crv, Setup, Tunnelling, H245Address).

%% Connect, without fastStart, with H245Address (asn1_NOVALUE: none).
connect_call(Socket, Crv, Setup, Tunnelling, H245Address) ->
    send_q931(Socket, 7, Crv, true,
              {connect, #'Connect-UUIE'{protocolIdentifier = ?PROTOCOL, destinationInfo = terminal(),
                                         conferenceID = Setup#'Setup-UUIE'.conferenceID,
                                         callIdentifier = Setup#'Setup-UUIE'.callIdentifier,
                                         h245Address = H245Address, multipleCalls = false,
                                         maintainConnection = false}},
              Tunnelling, []).

%% --- Fast Connect (H.323 §8.1.7) ---

address(Port) -> {unicastAddress, {iPAddress, #'UnicastAddress_iPAddress'{network = <<127, 0, 0, 1>>,
                                                                        tsapIdentifier = Port}}}.

%% A proposal to transmit G.711 µ-law (our RTCP at Port) or to receive it (our RTP at Port).
olc(Number, Direction, Port) -> encode_olc(olc_record(Number, Direction, Port)).

olc_record(Number, transmit, Port) ->
    #'OpenLogicalChannel'{
        forwardLogicalChannelNumber = Number,
        forwardLogicalChannelParameters = #'OpenLogicalChannel_forwardLogicalChannelParameters'{
            dataType = {audioData, {codec(), frames()}},
            multiplexParameters = {h2250LogicalChannelParameters,
                #'H2250LogicalChannelParameters'{sessionID = 1, mediaControlChannel = address(Port)}}}};
olc_record(Number, 'receive', Port) ->
    #'OpenLogicalChannel'{
        forwardLogicalChannelNumber = Number,
        forwardLogicalChannelParameters = #'OpenLogicalChannel_forwardLogicalChannelParameters'{
            dataType = {nullData, 'NULL'}, multiplexParameters = {none, 'NULL'}},
        reverseLogicalChannelParameters = #'OpenLogicalChannel_reverseLogicalChannelParameters'{
            dataType = {audioData, {codec(), frames()}},
            multiplexParameters = {h2250LogicalChannelParameters,
                #'H2250LogicalChannelParameters'{sessionID = 1, mediaChannel = address(Port),
                                                 mediaControlChannel = address(Port + 1)}}}}.

encode_olc(Olc) ->
    {ok, Bytes} = 'H245Subset':encode('OpenLogicalChannel', Olc),
    Bytes.

decode_olcs(List) -> [begin {ok, O} = 'H245Subset':decode('OpenLogicalChannel', B), O end || B <- List].

%% An answer accepts our transmit proposal with where to send, and our receive one.
answers_both_ways(Answer) ->
    Olcs = decode_olcs(Answer),
    Codec = codec(),
    Transmit = [P || #'OpenLogicalChannel'{forwardLogicalChannelParameters =
                    #'OpenLogicalChannel_forwardLogicalChannelParameters'{
                        dataType = {audioData, {C, _}},
                        multiplexParameters = {h2250LogicalChannelParameters,
                            #'H2250LogicalChannelParameters'{mediaChannel = {unicastAddress, _}}}}} = P <- Olcs,
                    C =:= Codec],
    Receive = [P || #'OpenLogicalChannel'{reverseLogicalChannelParameters =
                   #'OpenLogicalChannel_reverseLogicalChannelParameters'{
                       dataType = {audioData, {C, _}}}} = P <- Olcs, C =:= Codec],
    length(Transmit) =:= 1 andalso length(Receive) =:= 1.

proposes_both_ways(Proposals) ->
    Olcs = decode_olcs(Proposals),
    Codec = codec(),
    lists:any(fun(#'OpenLogicalChannel'{forwardLogicalChannelParameters =
                      #'OpenLogicalChannel_forwardLogicalChannelParameters'{
                          dataType = {audioData, {C, _}}}}) -> C =:= Codec; (_) -> false end, Olcs)
        andalso
    lists:any(fun(#'OpenLogicalChannel'{reverseLogicalChannelParameters =
                      #'OpenLogicalChannel_reverseLogicalChannelParameters'{
                          dataType = {audioData, {C, _}},
                          multiplexParameters = {h2250LogicalChannelParameters,
                              #'H2250LogicalChannelParameters'{mediaChannel = {unicastAddress, _}}}}}) ->
                      C =:= Codec;
                 (_) -> false end, Olcs).

%% The answer to the caller's proposals of our codec: its transmit channel with our RTP at
%% Port, and its receive channel as it came (we send to the address it names).
answer(Proposals, Port) ->
    Codec = codec(),
    lists:filtermap(
        fun(#'OpenLogicalChannel'{forwardLogicalChannelParameters =
                 F = #'OpenLogicalChannel_forwardLogicalChannelParameters'{
                     dataType = {audioData, {C, _}},
                     multiplexParameters = {h2250LogicalChannelParameters, P}}} = Olc)
              when C =:= Codec ->
                {true, encode_olc(Olc#'OpenLogicalChannel'{forwardLogicalChannelParameters =
                    F#'OpenLogicalChannel_forwardLogicalChannelParameters'{multiplexParameters =
                        {h2250LogicalChannelParameters,
                         P#'H2250LogicalChannelParameters'{mediaChannel = address(Port),
                                                           mediaControlChannel = address(Port + 1)}}}})};
           (#'OpenLogicalChannel'{reverseLogicalChannelParameters =
                 #'OpenLogicalChannel_reverseLogicalChannelParameters'{
                     dataType = {audioData, {C, _}}}} = Olc) when C =:= Codec ->
                {true, encode_olc(Olc)};
           (_) -> false
        end, decode_olcs(Proposals)).

%% Where the answer's transmit channel says to send our audio.
sends_to(Answer) ->
    [{Ip, Port}] = [{list_to_tuple(binary_to_list(Ip)), Port} ||
        #'OpenLogicalChannel'{forwardLogicalChannelParameters =
            #'OpenLogicalChannel_forwardLogicalChannelParameters'{
                dataType = {audioData, _},
                multiplexParameters = {h2250LogicalChannelParameters,
                    #'H2250LogicalChannelParameters'{mediaChannel = {unicastAddress, {iPAddress,
                        #'UnicastAddress_iPAddress'{network = Ip, tsapIdentifier = Port}}}}}}}
            <- decode_olcs(Answer)],
    {Ip, Port}.

%% Where the caller's receive proposal says it receives.
receives_at(Proposals) ->
    Codec = codec(),
    [{Ip, Port} | _] = [{list_to_tuple(binary_to_list(Ip)), Port} ||
        #'OpenLogicalChannel'{reverseLogicalChannelParameters =
            #'OpenLogicalChannel_reverseLogicalChannelParameters'{
                dataType = {audioData, {C, _}},
                multiplexParameters = {h2250LogicalChannelParameters,
                    #'H2250LogicalChannelParameters'{mediaChannel = {unicastAddress, {iPAddress,
                        #'UnicastAddress_iPAddress'{network = Ip, tsapIdentifier = Port}}}}}}}
            <- decode_olcs(Proposals), C =:= Codec],
    {Ip, Port}.

%% Calls 2002 at Address:Port with Fast Connect proposals for G.711 µ-law, its RTP on a port
%% of its own, up to the Connect: {the RTP socket, the TCP socket, the call's identifier, the
%% fastStart answer}.
call_in_with_audio(Address, Port) ->
    {Rtp, RtpPort} = rtp_socket(Address),
    {ok, Socket} = gen_tcp:connect(Address, Port, [binary, {packet, tpkt}, {active, false}]),
    % Peers may call at once: each call its own identifiers.
    CallId = #'CallIdentifier'{guid = rand:bytes(16)},
    Setup = #'Setup-UUIE'{
        protocolIdentifier = ?PROTOCOL, sourceAddress = [{dialedDigits, "1001"}],
        sourceInfo = terminal(), destinationAddress = [{dialedDigits, os:getenv("H323_PEER_DIAL", "2002")}],
        activeMC = false, conferenceID = rand:bytes(16), conferenceGoal = {create, 'NULL'},
        callType = {pointToPoint, 'NULL'}, callIdentifier = CallId,
        fastStart = [olc(1, transmit, RtpPort + 1), olc(2, 'receive', RtpPort)],
        mediaWaitForConnect = false, canOverlapSend = false, multipleCalls = false,
        maintainConnection = false},
    send_q931(Socket, 5, 79, false, {setup, Setup}, true, []),
    expect("call proceeding", recv_q931(Socket),
           fun({2, 79, true, {callProceeding, _}, _}) -> true end),
    {_, _, _, {Early, Body}, _} =
        expect("the fastStart answer", recv_q931(Socket),
               fun({1, 79, true, {alerting, #'Alerting-UUIE'{fastStart = A}}, _}) ->
                       answers_both_ways(A);
                  ({3, 79, true, {progress, #'Progress-UUIE'{fastStart = A}}, _}) ->
                       answers_both_ways(A) end),
    io:format("early media in ~s~n", [Early]),
    Answer = case Body of
                 #'Alerting-UUIE'{fastStart = A} -> A;
                 #'Progress-UUIE'{fastStart = A} -> A
             end,
    expect("connect", await_connect(Socket), fun({7, 79, true, {connect, _}, _}) -> true end),
    {Rtp, Socket, CallId, Answer}.

%% Reads past an Alerting (after a Progress) up to the next message.
await_connect(Socket) ->
    case recv_q931(Socket) of
        {1, _, _, {alerting, _}, _} -> await_connect(Socket);
        Other -> Other
    end.

%% A UDP socket for RTP on Address: {the socket, its port}.
rtp_socket(Address) ->
    {ok, Rtp} = gen_udp:open(0, [binary, {ip, Address}, {active, false}]),
    {ok, RtpPort} = inet:port(Rtp),
    {Rtp, RtpPort}.

%% Calls 2002 on Socket without Fast Connect, with H.245 tunnelling or without, up to the
%% CallProceeding: the call's identifier.
call_without_fast_start(Socket, Tunnelling) ->
    CallId = #'CallIdentifier'{guid = rand:bytes(16)},
    Setup = #'Setup-UUIE'{
        protocolIdentifier = ?PROTOCOL, sourceAddress = [{dialedDigits, "1001"}],
        sourceInfo = terminal(), destinationAddress = [{dialedDigits, "2002"}], activeMC = false,
        conferenceID = rand:bytes(16), conferenceGoal = {create, 'NULL'},
        callType = {pointToPoint, 'NULL'}, callIdentifier = CallId,
        mediaWaitForConnect = false, canOverlapSend = false, multipleCalls = false,
        maintainConnection = false},
    send_q931(Socket, 5, 79, false, {setup, Setup}, Tunnelling, []),
    expect("call proceeding", recv_q931(Socket),
           fun({2, 79, true, {callProceeding, _}, _}) -> true end),
    CallId.

%% Sends a tone of $H323_PEER_TONE Hz (1000) to To for $H323_PEER_SECONDS (6), and writes what
%% comes back from there to the WAV file $H323_PEER_RECORD.
tone_and_record(Rtp, To) ->
    Hz = list_to_integer(os:getenv("H323_PEER_TONE", "1000")),
    Seconds = list_to_integer(os:getenv("H323_PEER_SECONDS", "6")),
    Received = exchange(Rtp, To, Hz, Seconds * 50),
    Heard = lists:reverse([P || {From, P} <- Received, From =:= To]),
    expect("recorded what came back", write_recording(os:getenv("H323_PEER_RECORD"), Heard),
           fun(Packets) -> Packets >= Seconds * 25 end).

%% The callee's ReleaseComplete (hanging up the call it answered), then the caller's close.
hang_up_called(Socket, Crv, Setup) ->
    send_q931(Socket, 16#5a, Crv, true,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                  callIdentifier = Setup#'Setup-UUIE'.callIdentifier}},
              true, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done.

%% The caller's ReleaseComplete, then the callee's close.
hang_up(Socket, CallId) ->
    send_q931(Socket, 16#5a, 79, false,
              {releaseComplete, #'ReleaseComplete-UUIE'{protocolIdentifier = ?PROTOCOL,
                                                         callIdentifier = CallId}},
              true, []),
    expect("released", drain(Socket), fun(closed) -> true end),
    done.

%% --- audio: RTP (RFC 3550) carrying G.711 µ-law, payload type 0 (RFC 3551) ---

%% Sends the 1 kHz tone to To, 20 ms a packet, gathering what comes back meanwhile and for
%% half a second after: {packets from To that carry the tone, packets from anywhere else}.
tone_exchange(Rtp, To) ->
    Received = exchange(Rtp, To, 1000, ?TONE_PACKETS),
    {length([P || {From, P} <- Received, From =:= To, is_tone(P)]),
     length([F || {F, _} <- Received, F =/= To])}.

%% Sends Packets packets of a tone of Hz to To, 20 ms apart on the clock (not after each
%% other, which would drift late), and gathers what comes: [{from where, payload}], the latest
%% first.
exchange(Rtp, To, Hz, Packets) -> exchange(Rtp, To, Hz, Packets, 0, now_ms(), []).

exchange(Rtp, {Ip, Port} = To, Hz, Packets, N, Start, Got) when N < Packets ->
    ok = gen_udp:send(Rtp, Ip, Port, rtp_packet(N, Hz)),
    exchange(Rtp, To, Hz, Packets, N + 1, Start, gather(Rtp, Start + (N + 1) * 20, Got));
exchange(Rtp, _, _, _, _, _, Got) -> gather(Rtp, now_ms() + 500, Got).

gather(Rtp, Until, Got) ->
    Left = Until - now_ms(),
    case Left > 0 andalso gen_udp:recv(Rtp, 0, Left) of
        {ok, {Ip, Port, <<2:2, _:1, 0:1, 0:4, _:1, Type:7, _:16, _:32, _:32, Payload/binary>>}}
          when Type =:= 0; Type =:= 9; Type =:= 18 ->
            gather(Rtp, Until, [{{Ip, Port}, Payload} | Got]);
        {ok, _} -> gather(Rtp, Until, Got); % not µ-law, G.722 or G.729 RTP
        _ -> Got
    end.

now_ms() -> erlang:monotonic_time(millisecond).

%% Packet N of a sine of Hz at a quarter of full scale, its phase running on across packets.
%% With G.722 or G.729 the tone comes encoded, in the file $H323_PEER_ENCODED: 160 octets a
%% packet of G.722 (64 kbit/s), 20 of G.729 (two 10 ms frames); the RTP clock is 8 kHz for
%% each (RFC 3551 §4.5.2: G.722's too).
rtp_packet(N, Hz) ->
    {Type, Payload} =
        case codec() of
            g711Ulaw64k ->
                {0, << <<(ulaw(round(8000 * math:sin(2 * math:pi() * Hz * (N * 160 + I) / 8000))))>>
                       || I <- lists:seq(0, 159) >>};
            Encoded ->
                {Type0, Size} = case Encoded of 'g722-64k' -> {9, 160}; g729 -> {18, 20} end,
                Tone = encoded_tone(),
                {Type0, binary:part(Tone, (N * Size) rem (byte_size(Tone) - Size + 1), Size)}
        end,
    <<2:2, 0:1, 0:1, 0:4, 0:1, Type:7, N:16, (N * 160):32, 16#5EED:32, Payload/binary>>.

%% The codec the peer speaks: G.711 µ-law, or G.722 or G.729 as $H323_PEER_CODEC says (g722,
%% g729); and its channels' packet size in the H.245 capability's units (ms of G.711 and
%% G.722, frames of G.729).
codec() ->
    case os:getenv("H323_PEER_CODEC", "pcmu") of
        "g722" -> 'g722-64k';
        "g729" -> g729;
        _ -> g711Ulaw64k
    end.

frames() ->
    case codec() of
        g729 -> 2;
        _ -> 20
    end.

encoded_tone() ->
    case get(encoded_tone) of
        undefined ->
            {ok, Encoded} = file:read_file(os:getenv("H323_PEER_ENCODED")),
            put(encoded_tone, Encoded),
            Encoded;
        Encoded -> Encoded
    end.

%% Payloads as they came, at Path: G.722 and G.729 as they are (ffmpeg's "g722" and "g729"
%% formats), µ-law as a WAV file (8 kHz, 16-bit linear, mono). The number of packets.
write_recording(Path, Packets) ->
    case codec() of
        g711Ulaw64k -> write_wav(Path, Packets);
        _ -> ok = file:write_file(Path, Packets), length(Packets)
    end.

write_wav(Path, Packets) ->
    Samples = << <<(linear(U)):16/little-signed>> || P <- Packets, <<U>> <= P >>,
    Size = byte_size(Samples),
    ok = file:write_file(Path, [<<"RIFF", (36 + Size):32/little, "WAVEfmt ", 16:32/little,
                                  1:16/little, 1:16/little, 8000:32/little, 16000:32/little,
                                  2:16/little, 16:16/little, "data", Size:32/little>>, Samples]),
    length(Packets).

%% A 1 kHz tone dominates the packet (Goertzel's power at 1 kHz against the packet's energy,
%% 1 for a pure tone) and is loud enough not to be comfort noise.
is_tone(Payload) ->
    Samples = [linear(U) || <<U>> <= Payload],
    N = length(Samples),
    Energy = lists:sum([X * X || X <- Samples]),
    Coefficient = 2 * math:cos(2 * math:pi() * 1000 / 8000),
    {S1, S2} = lists:foldl(fun(X, {P1, P2}) -> {X + Coefficient * P1 - P2, P1} end, {0, 0}, Samples),
    Power = S1 * S1 + S2 * S2 - Coefficient * S1 * S2,
    N > 0 andalso Energy / N > 1000 * 1000 andalso 2 * Power / (N * Energy) > 0.8.

%% G.711 µ-law (ITU-T G.711 Table 2), as its reference code writes it.
ulaw(Sample) ->
    Sign = case Sample < 0 of true -> 16#80; false -> 0 end,
    Magnitude = min(abs(Sample), 32635) + 16#84,
    Exponent = exponent(Magnitude bsr 7, 0),
    Mantissa = (Magnitude bsr (Exponent + 3)) band 16#0F,
    (bnot (Sign bor (Exponent bsl 4) bor Mantissa)) band 16#FF.

exponent(V, E) when V > 1, E < 7 -> exponent(V bsr 1, E + 1);
exponent(_, E) -> E.

linear(U) ->
    V = (bnot U) band 16#FF,
    Magnitude = (((V band 16#0F) bsl 3) + 16#84) bsl ((V bsr 4) band 7),
    case V band 16#80 of
        0 -> Magnitude - 16#84;
        _ -> 16#84 - Magnitude
    end.

%% --- H.245 on its own connection (TPKT) ---

send_h245(Socket, Message) ->
    {ok, Bytes} = 'H245Subset':encode('MultimediaSystemControlMessage', Message),
    ok = gen_tcp:send(Socket, <<3, 0, (byte_size(Bytes) + 4):16, Bytes/binary>>).

%% H.245 over either transport (H.323 §8.2): Channel is {separate, Socket}, a connection of its
%% own, or {tunnelled, Socket, Crv, FromDestination}, inside the call signalling's h245Control.
h245_send({separate, Socket}, Message) -> send_h245(Socket, Message);
h245_send({tunnelled, Socket, Crv, FromDestination}, Message) ->
    {ok, Bytes} = 'H245Subset':encode('MultimediaSystemControlMessage', Message),
    send_q931(Socket, 16#62, Crv, FromDestination, {empty, 'NULL'}, true, [Bytes]).

%% Reads what comes on Channel until one of each kind in Wanted has (tcs, msd, olc, olc_ack,
%% and for a tunnelled channel the call signalling messages: alerting, connect, ...): a map of
%% kind to message, with whatever else came on the way; what came instead when it runs dry or
%% the call is released.
h245_await(Channel, Wanted) -> h245_await(Channel, Wanted, #{}).

h245_await(_, [], Got) -> Got;
h245_await(Channel, Wanted, Got) ->
    case h245_next(Channel) of
        {gone, What} -> {gone, What, Wanted, Got};
        Kinds -> h245_await(Channel, Wanted -- [K || {K, _} <- Kinds],
                            maps:merge(Got, maps:from_list(Kinds)))
    end.

h245_next({separate, Socket}) ->
    case gen_tcp:recv(Socket, 0, ?TIMEOUT) of
        {ok, <<3, 0, _:16, Bytes/binary>>} -> [h245_kind(Bytes)];
        Other -> {gone, Other}
    end;
h245_next({tunnelled, Socket, _, _}) ->
    case recv_q931(Socket) of
        {_, _, _, {releaseComplete, _}, _} = Release -> {gone, Release};
        {_, _, _, {Kind, Body}, Control} -> [{Kind, Body} | [h245_kind(B) || B <- Control]];
        Other -> {gone, Other}
    end.

h245_kind(Bytes) ->
    case 'H245Subset':decode('MultimediaSystemControlMessage', Bytes) of
        {ok, {request, {terminalCapabilitySet, M}}} -> {tcs, M};
        {ok, {request, {masterSlaveDetermination, M}}} -> {msd, M};
        {ok, {request, {openLogicalChannel, M}}} -> {olc, M};
        {ok, {response, {openLogicalChannelAck, M}}} -> {olc_ack, M};
        {ok, Other} -> {other, Other};
        Error -> {undecodable, Error}
    end.

%% The audio of a call without Fast Connect (H.323 §8.1.5 and §8.2): takes the caller's
%% capabilities and master-slave determination and answers them with ours (G.711 µ-law),
%% acknowledges the channel it opens (our RTP at RtpPort), and opens ours: {where it receives,
%% all that came meanwhile}.
negotiate_audio(Channel, RtpPort) ->
    Theirs = expect("capabilities and determination", h245_await(Channel, [tcs, msd]),
                    fun(#{tcs := _, msd := _}) -> true end),
    #'TerminalCapabilitySet'{sequenceNumber = Seq} = maps:get(tcs, Theirs),
    h245_send(Channel, {response, {terminalCapabilitySetAck,
                                   #'TerminalCapabilitySetAck'{sequenceNumber = Seq}}}),
    h245_send(Channel, {request, {terminalCapabilitySet, #'TerminalCapabilitySet'{
        sequenceNumber = 1, protocolIdentifier = {0, 0, 8, 245, 0, 15},
        capabilityTable = [#'CapabilityTableEntry'{capabilityTableEntryNumber = 1,
                                                   capability = {receiveAudioCapability, {g711Ulaw64k, 20}}}],
        capabilityDescriptors = [#'CapabilityDescriptor'{capabilityDescriptorNumber = 0,
                                                         simultaneousCapabilities = [[1]]}]}}}),
    h245_send(Channel, {response, {masterSlaveDeterminationAck,
                                   #'MasterSlaveDeterminationAck'{decision = {master, 'NULL'}}}}),
    Opened = expect("its channel opened", h245_await(Channel, [olc]),
                    fun(#{olc := #'OpenLogicalChannel'{forwardLogicalChannelParameters =
                            #'OpenLogicalChannel_forwardLogicalChannelParameters'{
                                dataType = {audioData, {g711Ulaw64k, _}}}}}) -> true end),
    #'OpenLogicalChannel'{forwardLogicalChannelNumber = Channel1} = maps:get(olc, Opened),
    h245_send(Channel, {response, {openLogicalChannelAck, #'OpenLogicalChannelAck'{
        forwardLogicalChannelNumber = Channel1,
        forwardMultiplexAckParameters = {h2250LogicalChannelAckParameters,
            #'H2250LogicalChannelAckParameters'{sessionID = 1, mediaChannel = address(RtpPort),
                                                mediaControlChannel = address(RtpPort + 1),
                                                flowControlToZero = false}}}}}),
    h245_send(Channel, {request, {openLogicalChannel, olc_record(1, transmit, RtpPort + 1)}}),
    Acked = expect("our channel accepted", h245_await(Channel, [olc_ack]),
           fun(#{olc_ack := #'OpenLogicalChannelAck'{forwardLogicalChannelNumber = 1,
                   forwardMultiplexAckParameters = {h2250LogicalChannelAckParameters,
                       #'H2250LogicalChannelAckParameters'{mediaChannel = {unicastAddress, _}}}}}) -> true end),
    #'OpenLogicalChannelAck'{forwardMultiplexAckParameters = {_, #'H2250LogicalChannelAckParameters'{
        mediaChannel = {unicastAddress, {iPAddress, #'UnicastAddress_iPAddress'{
            network = Ip, tsapIdentifier = Port}}}}}} = maps:get(olc_ack, Acked),
    {{list_to_tuple(binary_to_list(Ip)), Port}, maps:merge(maps:merge(Theirs, Opened), Acked)}.

%% --- Q.931 in TPKT (H.225.0 §7) ---

send_q931(Socket, Type, Crv, FromDestination, Body, Tunnelling, Control) ->
    send_q931(Socket, Type, Crv, FromDestination, Body, Tunnelling, Control, 16).

%% ReleaseComplete (16#5a) carries Cause (Q.850 §2.2.5), normal clearing unless told otherwise.
send_q931(Socket, Type, Crv, FromDestination, Body, Tunnelling, Control, ReleaseCause) ->
    Pdu = #'H323-UU-PDU'{'h323-message-body' = Body, h245Tunneling = Tunnelling,
                         h245Control = case Control of [] -> asn1_NOVALUE; _ -> Control end},
    {ok, Uu} = 'H225Subset':encode('H323-UserInformation', #'H323-UserInformation'{'h323-uu-pdu' = Pdu}),
    Flag = case FromDestination of true -> 1; false -> 0 end,
    Bearer = case Type of 5 -> <<4, 3, 16#80, 16#90, 16#A2>>; _ -> <<>> end,
    Cause = case Type of 16#5a -> <<8, 2, 16#80, (16#80 bor ReleaseCause)>>; _ -> <<>> end,
    % Progress indicator (Q.931 §4.5.23), mandatory in Progress: in-band information available.
    Indicator = case Type of 3 -> <<16#1E, 2, 16#80, 16#88>>; _ -> <<>> end,
    Message = <<8, 2, Flag:1, Crv:15, Type, Bearer/binary, Cause/binary, Indicator/binary,
                16#7E, (byte_size(Uu) + 1):16, 5, Uu/binary>>,
    ok = gen_tcp:send(Socket, <<3, 0, (byte_size(Message) + 4):16, Message/binary>>).

%% {Type, CallReference, FromDestination, Body, H245Control} of the next message.
recv_q931(Socket) ->
    case gen_tcp:recv(Socket, 0, ?TIMEOUT) of
        {ok, <<3, 0, _:16, 8, 2, Flag:1, Crv:15, Type, Elements/binary>>} ->
            Uu = user_user(Elements),
            {ok, #'H323-UserInformation'{'h323-uu-pdu' = Pdu}} =
                'H225Subset':decode('H323-UserInformation', Uu),
            Control = case Pdu#'H323-UU-PDU'.h245Control of asn1_NOVALUE -> []; C -> C end,
            {Type, Crv, Flag =:= 1, Pdu#'H323-UU-PDU'.'h323-message-body', Control};
        Other -> {unexpected, Other}
    end.

user_user(<<16#7E, Length:16, Contents:Length/binary, _/binary>>) ->
    <<5, Uu/binary>> = Contents,
    Uu;
user_user(<<Id, Rest/binary>>) when Id >= 16#80 -> user_user(Rest);
user_user(<<_, Length, _:Length/binary, Rest/binary>>) -> user_user(Rest).

%% The Q.850 cause of a ReleaseComplete that comes next, from its Cause element alone (Q.931
%% §4.5.12; a User-user element is not needed to refuse what could not be read).
release_cause(Socket) ->
    case gen_tcp:recv(Socket, 0, ?TIMEOUT) of
        {ok, <<3, 0, _:16, 8, 2, _:16, 16#5a, Elements/binary>>} -> cause_of(Elements);
        Other -> {unexpected, Other}
    end.

cause_of(<<8, Length, _:1, _:7, Value, _:(Length - 2)/binary, _/binary>>) -> Value band 16#7F;
cause_of(<<Id, Rest/binary>>) when Id >= 16#80 -> cause_of(Rest);
cause_of(<<_, Length, _:Length/binary, Rest/binary>>) -> cause_of(Rest);
cause_of(_) -> no_cause.

%% Reads past what comes (tunnelled H.245 in Facility messages) up to a ReleaseComplete.
await_release(Socket) ->
    case recv_q931(Socket) of
        {16#5a, _, _, {releaseComplete, _}, _} = Release -> Release;
        {unexpected, _} = Other -> Other;
        _ -> await_release(Socket)
    end.

%% Reads call signalling messages up to the first tunnelled UserInputIndication with a signal:
%% {digit, SignalType}, or what came instead.
await_digit(Socket) ->
    case recv_q931(Socket) of
        {unexpected, _} = Other -> Other;
        {16#5a, _, _, {releaseComplete, _}, _} = Release -> Release;
        {_, _, _, _, Control} ->
            Digits = [S || B <- Control,
                           {ok, {indication, {userInput, {signal,
                               #'UserInputIndication_signal'{signalType = S}}}}}
                               <- ['H245Subset':decode('MultimediaSystemControlMessage', B)]],
            case Digits of
                [Digit | _] -> {digit, Digit};
                [] -> await_digit(Socket)
            end
    end.

%% Reads call signalling messages, acknowledging each tunnelled capability set, up to one that
%% is Want: empty (no capability table: hold) or full; Want, or what came instead.
await_capabilities(Socket, Crv, Want) ->
    case recv_q931(Socket) of
        {unexpected, _} = Other -> Other;
        {16#5a, _, _, {releaseComplete, _}, _} = Release -> Release;
        {_, _, _, _, Control} ->
            Sets = [{S#'TerminalCapabilitySet'.sequenceNumber,
                     case S#'TerminalCapabilitySet'.capabilityTable of
                         asn1_NOVALUE -> empty;
                         _ -> full
                     end}
                    || B <- Control,
                       {ok, {request, {terminalCapabilitySet, S}}}
                           <- ['H245Subset':decode('MultimediaSystemControlMessage', B)]],
            [begin
                 {ok, Ack} = 'H245Subset':encode('MultimediaSystemControlMessage',
                     {response, {terminalCapabilitySetAck,
                                 #'TerminalCapabilitySetAck'{sequenceNumber = Seq}}}),
                 send_q931(Socket, 16#62, Crv, true, {empty, 'NULL'}, true, [Ack])
             end || {Seq, _} <- Sets],
            case lists:keymember(Want, 2, Sets) of
                true -> Want;
                false -> await_capabilities(Socket, Crv, Want)
            end
    end.

%% Waits for the peer to close the connection, reading what comes before.
drain(Socket) ->
    case gen_tcp:recv(Socket, 0, ?TIMEOUT) of
        {ok, _} -> drain(Socket);
        {error, closed} -> closed;
        Other -> Other
    end.

%% --- messages ---

transport(Ip, Port) -> {ipAddress, #'TransportAddress_ipAddress'{ip = list_to_binary(tuple_to_list(Ip)), port = Port}}.

terminal() -> #'EndpointType'{terminal = #'TerminalInfo'{}, mc = false, undefinedNode = false}.

registration_request(Seq, Signalling, Ras, Digits, Name) ->
    Aliases = [{dialedDigits, D} || D <- Digits] ++ [{'h323-ID', Name} || Name =/= ""],
    #'RegistrationRequest'{
        requestSeqNum = Seq, protocolIdentifier = ?PROTOCOL, discoveryComplete = true,
        callSignalAddress = [Signalling], rasAddress = [Ras], terminalType = terminal(),
        terminalAlias = Aliases, gatekeeperIdentifier = "switchboard",
        endpointVendor = #'VendorIdentifier'{
            vendor = #'H221NonStandard'{t35CountryCode = 181, t35Extension = 0, manufacturerCode = 1},
            productId = <<"h323_peer">>, versionId = <<"1">>},
        timeToLive = 60, keepAlive = false, willSupplyUUIEs = false, maintainConnection = false,
        supportsAssignedGK = false}.

registration(Seq, Signalling, Ras, Digits, Name) ->
    {registrationRequest, registration_request(Seq, Signalling, Ras, Digits, Name)}.

admission(Seq, Endpoint, Digits, CallId, Conference) ->
    {admissionRequest, #'AdmissionRequest'{
        requestSeqNum = Seq, callType = {pointToPoint, 'NULL'}, callModel = {direct, 'NULL'}, endpointIdentifier = Endpoint,
        destinationInfo = [{dialedDigits, Digits}], srcInfo = [{'h323-ID', "alice"}],
        bandWidth = 1280, callReferenceValue = 77, conferenceID = Conference, activeMC = false,
        answerCall = false, canMapAlias = false, callIdentifier = CallId, willSupplyUUIEs = false,
        canMapSrcAlias = false}}.

unregistration(Seq, Signalling, Endpoint) ->
    {unregistrationRequest, #'UnregistrationRequest'{
        requestSeqNum = Seq, callSignalAddress = [Signalling], endpointIdentifier = Endpoint}}.

%% --- the wire ---

ask(Socket, {Host, Port}, Message) ->
    {ok, Bytes} = 'H225Subset':encode('RasMessage', Message),
    ok = gen_udp:send(Socket, Host, Port, Bytes),
    receive_ras(Socket).

receive_ras(Socket) ->
    case gen_udp:recv(Socket, 0, ?TIMEOUT) of
        {ok, {_, _, Bytes}} ->
            case 'H225Subset':decode('RasMessage', Bytes) of
                {ok, Message} -> Message;
                Error -> {undecodable, Error, Bytes}
            end;
        {error, Reason} -> {no_answer, Reason}
    end.

receive_from(Socket) ->
    case gen_udp:recv(Socket, 0, ?TIMEOUT) of
        {ok, {Host, Port, Bytes}} ->
            case 'H225Subset':decode('RasMessage', Bytes) of
                {ok, Message} -> {Message, {Host, Port}};
                Error -> {undecodable, Error, Bytes}
            end;
        {error, Reason} -> {no_answer, Reason}
    end.

reply(Socket, {Host, Port}, Message) ->
    {ok, Bytes} = 'H225Subset':encode('RasMessage', Message),
    ok = gen_udp:send(Socket, Host, Port, Bytes).

expect(Step, Got, Check) ->
    Ok = try Check(Got) catch error:function_clause -> false end,
    case Ok of
        true -> io:format("ok ~s~n", [Step]), Got;
        _ -> throw({fail, Step, Got})
    end.
