package s3api

import (
	"encoding/hex"
	"strings"
)

// The values of x-amz-content-sha256 besides a hex SHA-256.
const (
	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// payloadMode is how the signature covers the request body.
type payloadMode int

const (
	payloadUnsigned                 payloadMode = iota + 1 // body not signed
	payloadHashed                                          // body's hex SHA-256 signed
	payloadStreamingSigned                                 // aws-chunked, signed chunks
	payloadStreamingSignedTrailer                          // signed chunks and trailer
	payloadStreamingUnsignedTrailer                        // aws-chunked, checksum trailer
)

// streaming reports whether the body is aws-chunked.
func (m payloadMode) streaming() bool {
	return m == payloadStreamingSigned || m == payloadStreamingSignedTrailer ||
		m == payloadStreamingUnsignedTrailer
}

// signedChunks reports whether each chunk carries a signature.
func (m payloadMode) signedChunks() bool {
	return m == payloadStreamingSigned || m == payloadStreamingSignedTrailer
}

// hasTrailer reports whether trailing headers follow the last chunk.
func (m payloadMode) hasTrailer() bool {
	return m == payloadStreamingSignedTrailer || m == payloadStreamingUnsignedTrailer
}

// setPayload records the payload mode named by x-amz-content-sha256.
func (req *request) setPayload(v string) error {
	req.payloadLabel = v
	switch v {
	case unsignedPayload:
		req.payload = payloadUnsigned
	case streamingSigned:
		req.payload = payloadStreamingSigned
	case streamingSignedTrailer:
		req.payload = payloadStreamingSignedTrailer
	case streamingUnsignedTrailer:
		req.payload = payloadStreamingUnsignedTrailer
	case streamingECDSA, streamingECDSATrailer:
		return errNotImplemented("Streaming SigV4a (" + v + ")")
	default:
		sum, err := hex.DecodeString(v)
		if err != nil || len(sum) != 32 {
			return errorf("InvalidArgument", "x-amz-content-sha256 must be %s, %s, %s, "+
				"%s or a valid sha256 value.", unsignedPayload, streamingUnsignedTrailer,
				streamingSigned, streamingSignedTrailer)
		}
		req.payload = payloadHashed
		req.payloadSHA256 = sum
		req.payloadLabel = "SHA256"
	}
	return nil
}

// hasAWSChunkedEncoding reports whether Content-Encoding names aws-chunked.
func hasAWSChunkedEncoding(contentEncoding string) bool {
	for _, e := range strings.Split(contentEncoding, ",") {
		if strings.EqualFold(strings.TrimSpace(e), "aws-chunked") {
			return true
		}
	}
	return false
}
