package telemetry

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
)

// timeFormat is RFC 3339 with milliseconds; records' times are in UTC.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// AuditRecord is what a node knows of one S3 request once it is answered.
// Its JSON form is documented in the package doc; Node is filled in by the
// Shipper when empty.
type AuditRecord struct {
	Time       time.Time
	RequestID  string
	Node       string
	Operation  string
	Bucket     string
	Key        string
	Status     int
	Duration   time.Duration
	BytesIn    int64
	BytesOut   int64
	RemoteAddr string
	UserAgent  string
	// AccessKey is the access key ID of a checked signature, "" when
	// anonymous. Never a secret or a signature.
	AccessKey string
	// Error is the S3 error code of an answer of 400 or more.
	Error string
	// Deleted names the objects a DeleteObjects request deleted, which
	// Key cannot: none for other requests.
	Deleted []DeletedObject
}

// DeletedObject is one object a DeleteObjects request deleted: its key,
// and the version named ("" when none was).
type DeletedObject struct {
	Key       string `json:"key"`
	VersionID string `json:"versionId"`
}

// auditJSON is the wire form of an AuditRecord: every field, always, but
// deleted.
type auditJSON struct {
	Time       string  `json:"time"`
	RequestID  string  `json:"requestId"`
	Node       string  `json:"node"`
	Operation  string  `json:"operation"`
	Bucket     string  `json:"bucket"`
	Key        string  `json:"key"`
	Status     int     `json:"status"`
	DurationMs float64 `json:"durationMs"`
	BytesIn    int64   `json:"bytesIn"`
	BytesOut   int64   `json:"bytesOut"`
	RemoteAddr string  `json:"remoteAddr"`
	UserAgent  string  `json:"userAgent"`
	AccessKey  string  `json:"accessKey"`
	Error      string  `json:"error"`
	// Deleted is left out but for DeleteObjects, which every other
	// record would carry as an empty list.
	Deleted []DeletedObject `json:"deleted,omitempty"`
}

// MarshalJSON writes the record in the documented form.
func (r AuditRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(auditJSON{
		Time: formatTime(r.Time), RequestID: r.RequestID, Node: r.Node,
		Operation: r.Operation, Bucket: r.Bucket, Key: r.Key, Status: r.Status,
		DurationMs: float64(r.Duration.Microseconds()) / 1000,
		BytesIn:    r.BytesIn, BytesOut: r.BytesOut, RemoteAddr: r.RemoteAddr,
		UserAgent: r.UserAgent, AccessKey: r.AccessKey, Error: r.Error, Deleted: r.Deleted,
	})
}

// logJSON is the wire form of one log line.
type logJSON struct {
	Time    string         `json:"time"`
	Node    string         `json:"node"`
	Level   string         `json:"level"`
	Name    string         `json:"name"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
}

// newLogRecord encodes one log line with its key/value pairs as fields.
func newLogRecord(t time.Time, node, name string, level hclog.Level, msg string,
	args []any) ([]byte, error) {
	return json.Marshal(logJSON{Time: formatTime(t), Node: node, Level: level.String(),
		Name: name, Message: msg, Fields: flatFields(args)})
}

// flatFields pairs args up as keys and values; a lone last value goes
// under the key "EXTRA_VALUE_AT_END", as hclog writes it.
func flatFields(args []any) map[string]any {
	fields := make(map[string]any, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			fields["EXTRA_VALUE_AT_END"] = fieldValue(args[i])
			break
		}
		fields[fmt.Sprint(args[i])] = fieldValue(args[i+1])
	}
	return fields
}

// fieldValue keeps what JSON holds as it is and turns the rest to text.
func fieldValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32,
		uint64, float32, float64, []string:
		return x
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return json.RawMessage(b)
	}
	return fmt.Sprintf("%v", v)
}

func formatTime(t time.Time) string {
	return t.UTC().Format(timeFormat)
}
