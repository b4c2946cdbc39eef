# The scripted H.323 peer (h323_peer.erl) for the interop tests: Erlang's ASN.1 modules from
# the subsets in tests/vectors/per, then the peer. Built once per version of its sources, in a
# folder of /tmp named by their hash (built aside, then renamed into place, so that tests
# running at once never see half of it), as tests/support/h323_peer.hpp does for the C++ tests.
# The test sets $here (this folder) and $work (its scratch folder).

h323_peer_dir=
build_h323_peer() {
  local vectors="$here/../vectors/per" sum aside
  sum=$(cat "$vectors/H225Subset.asn1" "$vectors/H245Subset.asn1" "$here/h323_peer.erl" |
    sha256sum | cut -c1-16)
  h323_peer_dir=/tmp/sb-h323-peer-sh-$sum
  [ -f "$h323_peer_dir/h323_peer.beam" ] && return 0
  aside=$h323_peer_dir.$$
  mkdir -p "$aside"
  (cd "$aside" && erlc -bper "$vectors/H225Subset.asn1" "$vectors/H245Subset.asn1" &&
    erlc -I . "$here/h323_peer.erl") >"$work/h323_peer_build.log" 2>&1 || return 1
  mv -T "$aside" "$h323_peer_dir" 2>/dev/null || rm -rf "$aside" # another test got there first
}

# h323_peer SCENARIO PORT NAME: runs the peer (bounded: 60 s) for SCENARIO against (or, for the
# call-out scenarios, listening on) 127.0.0.1:PORT; what it says goes to $work/NAME.out.
h323_peer() {
  (cd "$h323_peer_dir" && timeout -k 3 60 erl -noshell -pa . -s h323_peer main "$1" 127.0.0.1 \
    "$2" -s init stop) >"$work/$3.out" 2>&1
}
