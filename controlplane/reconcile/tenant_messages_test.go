package reconcile

import (
	"strings"
	"testing"
)

func TestOfflineDrivesMessageSaysTheNodeRebuildsAReplacedDrive(t *testing.T) {
	t.Parallel()
	got := offlineMessage([]string{"node-0/drive-2"})
	for _, want := range []string{
		"1 drive(s) offline (node-0/drive-2)",
		"replace the drive: the node formats and rebuilds an empty one by itself",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "restart") {
		t.Errorf("got %q, want no advice to restart the node: it picks up the drive itself", got)
	}
	if got := offlineMessage(nil); got != "" {
		t.Errorf("got %q for no offline drive, want \"\"", got)
	}
}
