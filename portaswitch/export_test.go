package portaswitch

// DecodeResponse is decodeResponse, for the benchmarks of package
// portaswitch_test.
var DecodeResponse = decodeResponse
