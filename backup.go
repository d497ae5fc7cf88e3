package folio

import (
	"context"
	"io"
)

// Snapshotter is implemented by stores that can copy a whole site into one
// portable file and back (`folio backup`, `folio restore`), across engines.
type Snapshotter interface {
	// Backup writes a consistent snapshot of every table to w while the
	// site keeps serving and writing.
	Backup(ctx context.Context, w io.Writer) error
	// Restore loads a backup into an empty site in one transaction: on any
	// error nothing is written. A site with users or articles is refused
	// with a *ValidationError, as is a malformed file.
	Restore(ctx context.Context, r io.Reader) error
}
