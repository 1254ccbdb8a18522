// Package telemetry ships a storage node's S3 audit log and its own log
// lines to the targets a tenant declares: webhooks and Elasticsearch bulk
// endpoints. It owns the queues, the sender goroutines and the counters of
// what was sent, dropped and failed; it never blocks or fails the request
// or log call that hands it a record, and it never logs through the logger
// whose lines it ships (that would loop): a failing target is reported at
// most once a minute on Config.Logger, a logger that is not shipped.
//
// # Targets
//
// A target is one JSON object, the form storaged's --audit-target and
// --log-target flags take (see ParseTarget):
//
//	{"type":"webhook","endpoint":"https://audit.example.com/strata"}
//	{"type":"elasticsearch","endpoint":"http://127.0.0.1:9200","index":"strata-audit"}
//
// A webhook gets one POST per record, the record as the JSON body; any 2xx
// answer is success. An Elasticsearch target gets POST <endpoint>/_bulk
// with NDJSON, an index action and the record for each record, up to
// Config.BatchSize records a request, sent as soon as that many are queued
// or Config.FlushInterval after the first; its answer is read item by item.
// A request that fails (no answer, 429 or 5xx; for Elasticsearch also an
// item with status 429 or 5xx) is tried again with a doubling backoff, up
// to Config.Tries times in all, before its records are counted as failed.
// Every request has a timeout. https targets are checked against the
// system's roots.
//
// # Records
//
// An audit record, one per S3 request (see AuditRecord), always carries
// every field:
//
//	{"time":"2026-01-02T15:04:05.678Z","requestId":"0A1B2C3D4E5F6071",
//	 "node":"127.0.0.1:9000","operation":"PutObject","bucket":"b","key":"k",
//	 "status":200,"durationMs":4.25,"bytesIn":1024,"bytesOut":0,
//	 "remoteAddr":"127.0.0.1:53211","userAgent":"aws-sdk-go-v2/1.40",
//	 "accessKey":"AKID...","error":""}
//
// time is when the request arrived, RFC 3339 in UTC with milliseconds;
// durationMs is how long its answer took; operation uses the names of
// the node's metrics, or an admin call's method and path ("POST
// /strata/admin/heal"); accessKey is the access key ID whose signature was
// checked ("" when anonymous or not checked); error is the S3 error code
// when status is 400 or more. A DeleteObjects record also holds deleted,
// the objects it deleted: [{"key":"a/b","versionId":""}, ...] (up to 1,000,
// as a request names); no other record has that field. It holds no
// secret, signature or body.
//
// A log record, one per log line of the node at or above Config.LogLevel:
//
//	{"time":"2026-01-02T15:04:05.678Z","node":"127.0.0.1:9000","level":"info",
//	 "name":"storaged","message":"storaged listening",
//	 "fields":{"address":"127.0.0.1:9000","tls":true}}
//
// fields holds the line's key/value pairs: strings, numbers and booleans as
// they are, errors and other values as their text.
//
// # Counters
//
// A Shipper is a prometheus.Collector of
// strata_telemetry_records_total{stream="audit"|"log", target="<type>
// <endpoint>", result="sent"|"dropped"|"failed"}. A record is dropped when
// its target's queue (Config.QueueSize) is full or the Shipper is closing,
// so that a target that is down never holds more than the queue in memory.
package telemetry
