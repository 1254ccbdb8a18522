package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// API tokens live at /v1/tokens/{name}. They do not go through the generic
// kind handlers, because what is stored (a hash of the secret) is not what
// is answered (a prefix, and the secret once), and a token cannot change:
// a PUT with another spec is refused, and DELETE removes it at once.

// tokenRecord is a token as the store keeps it: never the secret, only its
// SHA-256 hash.
type tokenRecord struct {
	Metadata model.Metadata `json:"metadata"`
	Role     string         `json:"role"`
	Prefix   string         `json:"prefix"`
	// Hash is the SHA-256 of the secret.
	Hash []byte `json:"hash"`
}

const (
	// secretPrefix starts every token secret, so that a leaked one is easy
	// to recognize in logs and code.
	secretPrefix = "strata_"
	// shownChars is how many random characters of a secret its prefix
	// shows: 36 of its 256 bits.
	shownChars = 6
)

// newSecret returns a new token secret and its non-secret prefix.
func newSecret() (secret, prefix string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = secretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, secret[:len(secretPrefix)+shownChars]
}

func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// token returns the answer for a stored token, without its secret.
func (rec *tokenRecord) token(rev int64) *model.Token {
	m := rec.Metadata
	m.ETag = registry.ETag(rev)
	return &model.Token{
		Metadata: m,
		Spec:     model.TokenSpec{Role: rec.Role},
		Status:   model.TokenStatus{Prefix: rec.Prefix},
	}
}

func (s *Server) loadToken(ctx context.Context, name string) (*tokenRecord, int64, *apiError) {
	r, err := s.cfg.Store.Get(ctx, model.KindToken, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, 0, notFound(model.KindToken, name)
	case err != nil:
		return nil, 0, internal(err)
	}
	var rec tokenRecord
	if err := json.Unmarshal(r.Value, &rec); err != nil {
		return nil, 0, internal(fmt.Errorf("decoding token %s: %w", name, err))
	}
	return &rec, r.Revision, nil
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	rec, rev, e := s.loadToken(r.Context(), pathName(r))
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeToken(w, http.StatusOK, rec.token(rev))
}

func writeToken(w http.ResponseWriter, code int, t *model.Token) {
	w.Header().Set("ETag", t.Metadata.ETag)
	writeJSON(w, code, t)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	size, after, e := pageParams(r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	recs, err := s.cfg.Store.List(r.Context(), model.KindToken, "", after, size+1)
	if err != nil {
		writeError(w, r, internal(err))
		return
	}
	page := model.List[*model.Token]{Items: []*model.Token{}}
	for _, sr := range recs[:min(size, len(recs))] {
		var rec tokenRecord
		if err := json.Unmarshal(sr.Value, &rec); err != nil {
			writeError(w, r, internal(fmt.Errorf("decoding token %s: %w", sr.Name, err)))
			return
		}
		page.Items = append(page.Items, rec.token(sr.Revision))
	}
	if len(recs) > size {
		last := recs[size-1].Name
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) putToken(w http.ResponseWriter, r *http.Request) {
	var req model.PutRequest[model.TokenSpec]
	if e := decodeBody(r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	var v model.Violations
	model.ValidateName(&v, "metadata.name", pathName(r))
	if v = append(v, req.Spec.Validate()...); len(v) > 0 {
		writeError(w, r, invalid(v))
		return
	}
	var labels map[string]string
	if req.Metadata != nil {
		labels = req.Metadata.Labels
	}
	code, t, e := s.applyToken(r, req.Spec, labels)
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeToken(w, code, t)
}

// applyToken creates the named token, or answers the existing one when it
// already has this spec and these labels. Of concurrent creates of one
// name, exactly one makes the token; the others find it.
func (s *Server) applyToken(r *http.Request, spec model.TokenSpec,
	labels map[string]string) (int, *model.Token, *apiError) {
	ctx, name := r.Context(), pathName(r)
	for range raceRetries {
		old, rev, e := s.loadToken(ctx, name)
		switch {
		case e == nil:
			return sameToken(r, old, rev, spec, labels)
		case e.code != http.StatusNotFound:
			return 0, nil, e
		}
		if e := checkIfMatch(r, false, 0); e != nil {
			return 0, nil, e
		}
		t, err := s.createToken(ctx, name, spec, labels)
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				return 0, nil, internal(err)
			}
			return http.StatusCreated, t, nil
		}
	}
	return 0, nil, errorf(http.StatusConflict, model.ErrAborted,
		"token %q was changed by other requests at the same time: retry", name)
}

// sameToken answers a PUT on an existing token: unchanged when it asks
// for what the token already is, else a conflict, since a token's role is
// part of what its holder was given.
func sameToken(r *http.Request, old *tokenRecord, rev int64, spec model.TokenSpec,
	labels map[string]string) (int, *model.Token, *apiError) {
	if e := checkIfMatch(r, true, rev); e != nil {
		return 0, nil, e
	}
	if old.Role != spec.Role || !maps.Equal(old.Metadata.Labels, labels) {
		return 0, nil, errorf(http.StatusConflict, model.ErrAlreadyExists,
			"token %q exists with role %s and other labels or role than sent: a token cannot "+
				"change; delete it and create it again (its holders then need the new secret)",
			old.Metadata.Name, old.Role)
	}
	return http.StatusOK, old.token(rev), nil
}

// createToken stores a new token with a new secret and returns it with the
// secret, the only time the secret leaves the server.
func (s *Server) createToken(ctx context.Context, name string, spec model.TokenSpec,
	labels map[string]string) (*model.Token, error) {
	secret, prefix := newSecret()
	now := s.cfg.Now().UTC()
	rec := tokenRecord{
		Metadata: model.Metadata{Name: name, UID: newUID(), Generation: 1, Labels: labels,
			CreateTime: now, UpdateTime: now},
		Role:   spec.Role,
		Prefix: prefix,
		Hash:   hashSecret(secret),
	}
	b, err := json.Marshal(&rec)
	if err != nil {
		return nil, fmt.Errorf("encoding token %s: %w", name, err)
	}
	rev, err := s.cfg.Store.Put(ctx, model.KindToken, name, b, store.MustNotExist)
	if err != nil {
		return nil, err
	}
	if err := s.putTokenIndex(ctx, rec.Hash, name); err != nil {
		// Unindexed, the token could never authenticate: take it back.
		return nil, errors.Join(err, s.cfg.Store.Delete(ctx, model.KindToken, name, rev))
	}
	t := rec.token(rev)
	t.Status.Secret = secret
	return t, nil
}

// deleteToken revokes a token at once: the next request with it is 401.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	ctx, name := r.Context(), pathName(r)
	rec, rev, e := s.loadToken(ctx, name)
	if e == nil {
		e = checkIfMatch(r, true, rev)
	}
	if e == nil {
		e = s.removeToken(ctx, name, rec.Hash, rev)
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// removeToken deletes the token, then its index record. The token record
// decides, so the secret is refused from the first delete on; an index
// record that a failure leaves behind names a token that is gone and is
// never followed.
func (s *Server) removeToken(ctx context.Context, name string, hash []byte,
	rev int64) *apiError {
	err := s.cfg.Store.Delete(ctx, model.KindToken, name, rev)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound(model.KindToken, name)
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, model.ErrAborted,
			"token %q was changed by another request at the same time: retry the delete", name)
	case err != nil:
		return internal(err)
	}
	_ = s.cfg.Store.Delete(ctx, tokenIndexKind, indexName(hash), store.AnyRevision)
	return nil
}

// principal is who a request's bearer token names.
type principal struct {
	name string
	role string
}

// principalKey keeps the request's principal in its context.
type principalKey struct{}

// isReader reports whether the request's token has the reader role.
func isReader(r *http.Request) bool {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p.role == model.RoleReader
}

// bootstrapPrincipal is the admin token from the state directory.
const bootstrapPrincipal = "admin.token"

// tokenIndexKind is the store kind that finds a token by its secret: one
// record per token, named by the hex of the secret's SHA-256 and holding
// the token's name, so that authenticating reads two records however many
// tokens there are.
const tokenIndexKind = "token-index"

func indexName(sum []byte) string { return hex.EncodeToString(sum) }

// lookupToken returns the principal whose secret is presented, or false.
// The index names the candidate token; its stored hash, compared in
// constant time, decides. The index is keyed by a hash of 256 random bits,
// so how long the lookup takes tells nothing useful about a secret.
func (s *Server) lookupToken(ctx context.Context, secret string) (principal, bool, error) {
	if s.cfg.Token != "" &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.Token)) == 1 {
		return principal{name: bootstrapPrincipal, role: model.RoleAdmin}, true, nil
	}
	if s.cfg.Store == nil || !strings.HasPrefix(secret, secretPrefix) {
		return principal{}, false, nil
	}
	if err := s.indexTokens(ctx); err != nil {
		return principal{}, false, err
	}
	sum := hashSecret(secret)
	ir, err := s.cfg.Store.Get(ctx, tokenIndexKind, indexName(sum))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return principal{}, false, nil
	case err != nil:
		return principal{}, false, fmt.Errorf("reading the token index: %w", err)
	}
	rec, _, e := s.loadToken(ctx, string(ir.Value))
	switch {
	case e != nil && e.code == http.StatusNotFound:
		return principal{}, false, nil // revoked; the index entry outlived it
	case e != nil:
		return principal{}, false, fmt.Errorf("reading token %s: %s", ir.Value, e.message)
	case subtle.ConstantTimeCompare(sum, rec.Hash) != 1:
		return principal{}, false, nil
	}
	return principal{name: rec.Metadata.Name, role: rec.Role}, true, nil
}

// indexTokens adds the index records of tokens stored without one, by a
// control plane older than the index, once per Server. A failure is
// tried again by the next request.
func (s *Server) indexTokens(ctx context.Context) error {
	if s.tokensIndexed.Load() {
		return nil
	}
	s.tokenIndexMu.Lock()
	defer s.tokenIndexMu.Unlock()
	if s.tokensIndexed.Load() {
		return nil
	}
	recs, err := s.cfg.Store.List(ctx, model.KindToken, "", "", 0)
	if err != nil {
		return fmt.Errorf("listing tokens to index them: %w", err)
	}
	for _, sr := range recs {
		var rec tokenRecord
		if json.Unmarshal(sr.Value, &rec) != nil {
			continue // never authenticates, as before the index
		}
		if err := s.indexToken(ctx, rec.Hash, sr.Name); err != nil {
			return err
		}
	}
	s.tokensIndexed.Store(true)
	return nil
}

// indexToken adds the token's index record when it has none.
func (s *Server) indexToken(ctx context.Context, hash []byte, name string) error {
	_, err := s.cfg.Store.Get(ctx, tokenIndexKind, indexName(hash))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s.putTokenIndex(ctx, hash, name)
	case err != nil:
		return fmt.Errorf("reading the index record of token %s: %w", name, err)
	}
	return nil
}

// putTokenIndex points the index record of hash at the token name.
func (s *Server) putTokenIndex(ctx context.Context, hash []byte, name string) error {
	_, err := s.cfg.Store.Put(ctx, tokenIndexKind, indexName(hash), []byte(name),
		store.AnyRevision)
	if err != nil {
		return fmt.Errorf("indexing token %s: %w", name, err)
	}
	return nil
}

// tokensPath is the collection of API tokens.
const tokensPath = "/v1/tokens"
