package portaswitch

// DecodeNumberList decodes a DID/get_number_list answer as GetNumberList
// does, for the benchmarks of package portaswitch_test.
func DecodeNumberList(status int, body []byte) ([]DIDNumber, error) {
	var res numberListResult
	if err := decodeResponse("DID", "get_number_list", status, body, &res); err != nil {
		return nil, err
	}
	return res.list, nil
}
