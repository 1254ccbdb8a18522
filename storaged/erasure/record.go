package erasure

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/strata-storage/strata/storaged/internal/highway"
)

// recordPrefix opens the checksum line of every metadata record this
// package writes: object meta files, upload and part records, bucket
// configuration.
const recordPrefix = "hh256:"

// encodeRecord renders v as a checksum line followed by JSON.
func encodeRecord(v any, key []byte) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("erasure: encoding %T: %w", v, err)
	}
	sum := highway.Sum(body, key)
	out := make([]byte, 0, len(recordPrefix)+2*hashSize+1+len(body))
	out = append(out, recordPrefix...)
	out = hex.AppendEncode(out, sum[:])
	out = append(out, '\n')
	return append(out, body...), nil
}

// decodeRecord checks a record's checksum and decodes its JSON into v.
// Every failure wraps errCorruptMeta.
func decodeRecord(b, key []byte, v any) error {
	line, body, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || !bytes.HasPrefix(line, []byte(recordPrefix)) {
		return fmt.Errorf("%w: no checksum line", errCorruptMeta)
	}
	want, err := hex.DecodeString(string(line[len(recordPrefix):]))
	sum := highway.Sum(body, key)
	if err != nil || !bytes.Equal(want, sum[:]) {
		return fmt.Errorf("%w: checksum mismatch", errCorruptMeta)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", errCorruptMeta, err)
	}
	return nil
}
