package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxAnswer bounds how much of a target's answer is read.
const maxAnswer = 16 << 20

// outcome is what became of one request's records: those to try again,
// how many the target refused for good, and the last error.
type outcome struct {
	retry   [][]byte
	refused int
	err     error
}

// postWebhook POSTs the one record of batch as a JSON body.
func (sd *sender) postWebhook(ctx context.Context, batch [][]byte) outcome {
	status, _, err := sd.do(ctx, sd.target.Endpoint, "application/json", batch[0])
	switch {
	case err != nil:
		return outcome{retry: batch, err: err}
	case status/100 == 2:
		return outcome{}
	case retryable(status):
		return outcome{retry: batch, err: fmt.Errorf("the webhook answered HTTP %d", status)}
	}
	return outcome{refused: len(batch),
		err: fmt.Errorf("the webhook refused the record with HTTP %d", status)}
}

// postBulk sends batch to the _bulk endpoint and returns the records whose
// items failed in a way worth another try.
func (sd *sender) postBulk(ctx context.Context, batch [][]byte) outcome {
	url := strings.TrimSuffix(sd.target.Endpoint, "/") + "/_bulk"
	status, body, err := sd.do(ctx, url, "application/x-ndjson", bulkBody(sd.target.Index, batch))
	switch {
	case err != nil:
		return outcome{retry: batch, err: err}
	case retryable(status):
		return outcome{retry: batch, err: fmt.Errorf("elasticsearch answered HTTP %d", status)}
	case status/100 != 2:
		return outcome{refused: len(batch), err: fmt.Errorf("elasticsearch refused the "+
			"bulk request with HTTP %d: %.300s", status, body)}
	}
	return bulkOutcome(batch, body)
}

// bulkBody is the NDJSON of an index action and the record per record.
func bulkBody(index string, batch [][]byte) []byte {
	action, _ := json.Marshal(map[string]map[string]string{"index": {"_index": index}})
	var b bytes.Buffer
	for _, r := range batch {
		b.Write(action)
		b.WriteByte('\n')
		b.Write(r)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// bulkAnswer is the part of a bulk response that says how each item went.
type bulkAnswer struct {
	Errors bool                         `json:"errors"`
	Items  []map[string]bulkItemOutcome `json:"items"`
}

type bulkItemOutcome struct {
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error"`
}

// bulkItemError says what Elasticsearch found wrong with one item: the
// "type: reason" of its error object, the error itself when it is a
// string, else the start of its JSON.
func bulkItemError(raw json.RawMessage) string {
	var e struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal(raw, &e) == nil {
		switch {
		case e.Type != "" && e.Reason != "":
			return e.Type + ": " + e.Reason
		case e.Type != "" || e.Reason != "":
			return e.Type + e.Reason
		}
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	return fmt.Sprintf("%.300s", raw)
}

// bulkOutcome reads the bulk response: items refused with 429 or 5xx
// come back to be tried again, other refused items are refused for good.
func bulkOutcome(batch [][]byte, body []byte) outcome {
	var a bulkAnswer
	if err := json.Unmarshal(body, &a); err != nil || len(a.Items) != len(batch) {
		return outcome{retry: batch, err: fmt.Errorf("elasticsearch's bulk answer holds %d "+
			"items for %d records or is not JSON (%v)", len(a.Items), len(batch), err)}
	}
	var o outcome
	if !a.Errors {
		return o
	}
	for i, item := range a.Items {
		for _, it := range item {
			switch {
			case it.Status/100 == 2:
				continue
			case retryable(it.Status):
				o.retry = append(o.retry, batch[i])
			default:
				o.refused++
			}
			o.err = fmt.Errorf("an item got status %d: %s", it.Status, bulkItemError(it.Error))
		}
	}
	return o
}

// retryable reports whether an HTTP status is worth another try.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// do POSTs body and returns the status and the start of the answer.
func (sd *sender) do(ctx context.Context, url, contentType string,
	body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, sd.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := sd.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("posting to %s: %w", sd.target.Label(), err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, fmt.Errorf("reading the answer of %s: %w", sd.target.Label(), err)
	}
	return resp.StatusCode, answer, nil
}
