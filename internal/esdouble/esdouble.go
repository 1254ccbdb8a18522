// Package esdouble is a test double of an Elasticsearch bulk endpoint, not
// Elasticsearch: Debian packages no Elasticsearch, so tests of code that
// ships records to one run against this instead. It speaks only the part
// of the wire protocol that a bulk shipper uses:
//
//   - POST /_bulk and POST /<index>/_bulk with an NDJSON body: action lines
//     "index" or "create" (with "_index", or the path's index as the
//     default, and an optional "_id"), each followed by its document;
//   - the bulk response JSON: took, errors, and items[].<action> with
//     _index, _id, status and result ("created"), or error for a failed
//     item;
//   - 400 with an Elasticsearch-shaped error body (error.type, error.reason,
//     status) for malformed NDJSON or an unsupported action.
//
// It runs on httptest (loopback only), keeps documents in memory by index,
// and lets a test fail the next N requests whole (503) or the next N items
// (429 item status), to exercise a client's retries and counting. It is
// for tests only and owns nothing beyond its server.
package esdouble

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running double. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, http://127.0.0.1:port, to give a client.
	URL string

	srv          *httptest.Server
	mu           sync.Mutex
	docs         map[string][]json.RawMessage
	nextID       int
	failRequests int
	failItems    int
	requests     int
}

// Start runs a double on a loopback port and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{docs: map[string][]json.RawMessage{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server now; requests to it then fail to connect.
func (s *Server) Close() { s.srv.Close() }

// FailRequests makes the next n bulk requests answer 503 without storing
// anything.
func (s *Server) FailRequests(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRequests = n
}

// FailItems makes the next n items answer status 429 without being stored.
func (s *Server) FailItems(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failItems = n
}

// Docs returns the documents stored in index, in the order they arrived.
func (s *Server) Docs(index string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.docs[index]...)
}

// Requests returns how many bulk requests arrived, failed ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// action is one parsed action line and its document.
type action struct {
	name, index, id string
	doc             json.RawMessage
}

// serve answers the bulk paths and 404s any other.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	index, ok := bulkIndex(r.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, "no_handler_found_exception",
			fmt.Sprintf("no handler found for uri [%s] and method [%s] in this double",
				r.URL.Path, r.Method))
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			"the bulk endpoint takes POST or PUT")
		return
	}
	actions, err := parseBulk(r, index)
	if err != nil {
		writeError(w, http.StatusBadRequest, "illegal_argument_exception", err.Error())
		return
	}
	if s.failRequest() {
		writeError(w, http.StatusServiceUnavailable, "unavailable_shards_exception",
			"the double was told to fail this request")
		return
	}
	items, failed := s.store(actions)
	writeJSON(w, http.StatusOK, map[string]any{"took": time.Since(start).Milliseconds(),
		"errors": failed, "items": items})
}

// bulkIndex returns the path's default index ("" for /_bulk) and whether
// the path is a bulk path.
func bulkIndex(path string) (string, bool) {
	if path == "/_bulk" {
		return "", true
	}
	index, ok := strings.CutSuffix(strings.TrimPrefix(path, "/"), "/_bulk")
	return index, ok && index != "" && !strings.Contains(index, "/")
}

// parseBulk reads the NDJSON body into actions.
func parseBulk(r *http.Request, defIndex string) ([]action, error) {
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var out []action
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		a, err := parseAction(sc.Bytes(), defIndex, line)
		if err != nil {
			return nil, err
		}
		if !sc.Scan() {
			return nil, fmt.Errorf("the bulk request must be terminated by a newline "+
				"[\\n]; the action on line %d has no document", line)
		}
		line++
		if !json.Valid(sc.Bytes()) {
			return nil, fmt.Errorf("malformed document on line %d", line)
		}
		a.doc = append(json.RawMessage(nil), sc.Bytes()...)
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("request body is required")
	}
	return out, nil
}

// parseAction reads one action line: {"index"|"create":{"_index","_id"}}.
func parseAction(line []byte, defIndex string, n int) (action, error) {
	var m map[string]struct {
		Index string `json:"_index"`
		ID    string `json:"_id"`
	}
	if err := json.Unmarshal(line, &m); err != nil || len(m) != 1 {
		return action{}, fmt.Errorf("malformed action/metadata line [%d], expected an "+
			"object with one action", n)
	}
	for name, meta := range m {
		if name != "index" && name != "create" {
			return action{}, fmt.Errorf("action [%s] on line [%d] is not supported by the "+
				"double; use index or create", name, n)
		}
		a := action{name: name, index: meta.Index, id: meta.ID}
		if a.index == "" {
			a.index = defIndex
		}
		if a.index == "" {
			return action{}, fmt.Errorf("index is missing on line [%d]", n)
		}
		return a, nil
	}
	return action{}, nil
}

// failRequest counts a request and reports whether it is to fail.
func (s *Server) failRequest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.failRequests > 0 {
		s.failRequests--
		return true
	}
	return false
}

// store keeps each action's document unless it is to fail, and returns
// the response items and whether any failed.
func (s *Server) store(actions []action) ([]map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := make([]map[string]any, 0, len(actions))
	failed := false
	for _, a := range actions {
		if a.id == "" {
			s.nextID++
			a.id = fmt.Sprintf("esdouble-%d", s.nextID)
		}
		item := map[string]any{"_index": a.index, "_id": a.id}
		if s.failItems > 0 {
			s.failItems--
			failed = true
			item["status"] = http.StatusTooManyRequests
			item["error"] = map[string]any{"type": "es_rejected_execution_exception",
				"reason": "the double was told to reject this item"}
		} else {
			s.docs[a.index] = append(s.docs[a.index], a.doc)
			item["status"] = http.StatusCreated
			item["result"] = "created"
		}
		items = append(items, map[string]any{a.name: item})
	}
	return items, failed
}

// writeError answers with Elasticsearch's error shape.
func writeError(w http.ResponseWriter, status int, kind, reason string) {
	cause := map[string]any{"type": kind, "reason": reason}
	writeJSON(w, status, map[string]any{"error": map[string]any{"root_cause": []any{cause},
		"type": kind, "reason": reason}, "status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
