package s3api

// authenticateRoot verifies req's SigV4 signature as every S3 request's
// is, and refuses with AccessDenied any signer but the root key.
func (h *Handler) authenticateRoot(req *request) error {
	if err := h.authenticate(req); err != nil {
		return err
	}
	if !req.who.root {
		return errorf("AccessDenied", "The admin endpoints take only the root key.")
	}
	return nil
}
