package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// s3Namespace is the XML namespace of every S3 answer body.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// iso8601Millis is how S3 writes times inside XML bodies.
const iso8601Millis = "2006-01-02T15:04:05.000Z"

// errorBody is the XML body of an S3 error.
type errorBody struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string
	Message    string
	BucketName string `xml:",omitempty"`
	Key        string `xml:",omitempty"`
	errorFields
	Resource  string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// writeXML writes status and v as an XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		// Our own types always encode; a failure here is a bug that must
		// not turn into a half-written success.
		http.Error(w, "internal error encoding the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeAPIError writes e for the request; HEAD answers carry no body.
func writeAPIError(w http.ResponseWriter, req *request, e *apiError) {
	req.errorCode = e.code
	for k, v := range e.header {
		w.Header()[k] = v
	}
	if e.code == "InvalidRange" && e.fields.ActualObjectSize != "" {
		w.Header().Set("Content-Range", "bytes */"+e.fields.ActualObjectSize)
	}
	if req.r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return
	}
	writeXML(w, e.status, errorBody{
		Code:        e.code,
		Message:     e.message,
		BucketName:  req.bucket,
		Key:         req.key,
		errorFields: e.fields,
		Resource:    req.r.URL.Path,
		RequestID:   req.id,
		HostID:      req.id,
	})
}

// formatXMLTime writes t the way S3 XML bodies do.
func formatXMLTime(t time.Time) string {
	return t.UTC().Format(iso8601Millis)
}

// statusRecorder remembers the status and size of an answer for the
// request log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
