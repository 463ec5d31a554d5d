package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxConfigSize caps the JSON document of a configuration.
const MaxConfigSize = 1 << 20

// DecodeConfig decodes a configuration from its JSON document (as import and
// storage hold it) strictly: one top-level object, no unknown fields, at most
// MaxConfigSize bytes; then validates it. Every error is a ValidationErrors
// (code EInvalid): a document that does not decode gives one entry, at the
// path of the offending value when it is known; a configuration that
// decodes but is broken gives the entries of Config.Validate.
func DecodeConfig(data []byte) (Config, error) {
	c, err := decodeConfig(data)
	if err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// decodeConfig decodes without validating.
func decodeConfig(data []byte) (Config, error) {
	if len(data) > MaxConfigSize {
		return Config{}, ValidationErrors{{Message: fmt.Sprintf("The configuration is larger than %d KiB", MaxConfigSize>>10)}}
	}
	if len(bytes.TrimSpace(data)) == 0 || bytes.TrimSpace(data)[0] != '{' {
		return Config{}, ValidationErrors{{Message: "The configuration must be a JSON object"}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, ValidationErrors{jsonError(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, ValidationErrors{{Message: "The configuration must be a single JSON object with nothing after it"}}
	}
	c.normalize()
	return c, nil
}

// jsonError turns a decoding error into a problem an admin can act on. The
// decoder's own text names only the document's field names and Go types, so
// it is safe to show when there is nothing better.
func jsonError(err error) ValidationError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return ValidationError{Message: fmt.Sprintf("The configuration is not valid JSON (near byte %d)", syntax.Offset)}
	case errors.As(err, &typ):
		return ValidationError{Path: typ.Field, Message: fmt.Sprintf("Expected %s, found a JSON %s", jsonTypeName(typ.Type.Kind().String()), typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ValidationError{Message: "The configuration is not valid JSON: it ends too early"}
	default:
		return ValidationError{Message: "The configuration is not valid: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "a whole number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "ptr", "map":
		return "an object"
	}
	return "another type"
}

// normalize makes the decoded form canonical, so that encoding and decoding
// again gives an equal Config: empty lists that the encoder omits become nil.
func (c *Config) normalize() {
	for i := range c.Fields {
		if len(c.Fields[i].Options) == 0 {
			c.Fields[i].Options = nil
		}
	}
}
