package s3store

import "sync/atomic"

// UploaderStats are an Uploader's running totals, as Stats returns them.
type UploaderStats struct {
	Uploaded       int64 // finished session files stored (and removed from the spool)
	UploadedBytes  int64 // their bytes
	PartialUploads int64 // uploads of running sessions' files
	Failures       int64 // uploads that failed (each is retried)
	SpoolFiles     int64 // session files in the spool at the last scan, running ones included
	SpoolBytes     int64 // their bytes
}

type uploaderStats struct {
	uploaded, uploadedBytes, partialUploads, failures atomic.Int64
	spoolFiles, spoolBytes                            atomic.Int64
}

// Stats returns the Uploader's running totals. It is safe to call at any
// time, from any goroutine.
func (u *Uploader) Stats() UploaderStats {
	st := &u.stats
	return UploaderStats{
		Uploaded: st.uploaded.Load(), UploadedBytes: st.uploadedBytes.Load(),
		PartialUploads: st.partialUploads.Load(), Failures: st.failures.Load(),
		SpoolFiles: st.spoolFiles.Load(), SpoolBytes: st.spoolBytes.Load(),
	}
}
