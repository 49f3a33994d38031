package tui

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"cascade/scenarios"
)

// bomb is the real model, except that the key "!" panics in Update.
type bomb struct{ tea.Model }

func (b bomb) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "!" {
		panic("boom")
	}
	m, cmd := b.Model.Update(msg)
	return bomb{m}, cmd
}

// A panic in the UI restores the terminal (Bubble Tea does), and the
// session — the fault injected just before — is saved to a new file whose
// path the error names.
func TestTUICrashSavesSession(t *testing.T) {
	s, err := scenarios.Load("shop")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, keys := io.Pipe()
	var out bytes.Buffer
	errc := make(chan error, 1)
	go func() {
		errc <- run(s, RunOptions{Dir: dir, Input: in, Output: &out, NoColor: true}, func(m tea.Model) tea.Model { return bomb{m} })
	}()
	// f, then the first verb (latency) on its first target, default
	// parameters: one fault injected. Then the bomb.
	for _, k := range []string{"f", "\r", "\r", "\r"} {
		time.Sleep(200 * time.Millisecond)
		keys.Write([]byte(k))
	}
	time.Sleep(300 * time.Millisecond)
	keys.Write([]byte("!"))
	var got error
	select {
	case got = <-errc:
	case <-time.After(20 * time.Second):
		t.Fatal("the program did not end after the panic")
	}
	keys.Close()
	var ce *CrashError
	if !errors.As(got, &ce) {
		t.Fatalf("got %v, want a CrashError", got)
	}
	if ce.Saved == "" || !strings.Contains(got.Error(), ce.Saved) || !strings.Contains(got.Error(), "boom") && !strings.Contains(got.Error(), "panic") {
		t.Fatalf("error %q", got)
	}
	data, err := os.ReadFile(ce.Saved)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "latency:") {
		t.Errorf("saved session lacks the fault:\n%s", data)
	}
	if _, err := scenarios.Load(ce.Saved); err != nil {
		t.Errorf("saved session does not load: %v", err)
	}
}
