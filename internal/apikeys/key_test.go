package apikeys

import (
	"errors"
	"strings"
	"testing"
)

const (
	testID     = "0123456789abcdef"
	testSecret = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
)

func TestNewParseRoundTrip(t *testing.T) {
	for _, ws := range []string{"p1", "A_b-c=d+e|f", strings.Repeat("x", 128)} {
		k, err := New(ws)
		if err != nil {
			t.Fatalf("New(%q): %v", ws, err)
		}
		if k.Workspace != ws || !ValidID(k.ID) || !isLowerHex(k.Secret, 64) {
			t.Fatalf("New(%q) = %+v", ws, k)
		}
		got, err := Parse(k.String())
		if err != nil {
			t.Fatalf("Parse(New(%q)): %v", ws, err)
		}
		if got != k {
			t.Fatalf("Parse(%q) = %+v, want %+v", k.String(), got, k)
		}
		if got.String() != k.String() {
			t.Fatalf("String did not round-trip")
		}
	}
}

func TestNewIsRandom(t *testing.T) {
	a, _ := New("p")
	b, _ := New("p")
	if a.ID == b.ID || a.Secret == b.Secret {
		t.Fatalf("two keys share parts: %+v %+v", a, b)
	}
}

func TestNewRejectsBadWorkspace(t *testing.T) {
	for _, ws := range []string{"", "a.b", "a/b", "a b", "*", strings.Repeat("x", 129)} {
		if _, err := New(ws); err == nil {
			t.Errorf("New(%q) succeeded", ws)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, key, why string
	}{
		{"empty", "", "start"},
		{"wrong prefix", "wx.p." + testID + "." + testSecret, "start"},
		{"upper prefix", "WK.p." + testID + "." + testSecret, "start"},
		{"no prefix", "p." + testID + "." + testSecret, "start"},
		{"three parts", "wk." + testID + "." + testSecret, "parts"},
		{"five parts", "wk.p.q." + testID + "." + testSecret, "parts"},
		{"trailing dot", "wk.p." + testID + "." + testSecret + ".", "parts"},
		{"empty workspace", "wk.." + testID + "." + testSecret, "practice"},
		{"bad workspace", "wk.a/b." + testID + "." + testSecret, "practice"},
		{"long workspace", "wk." + strings.Repeat("x", 129) + "." + testID + "." + testSecret, "practice"},
		{"upper id", "wk.p." + strings.ToUpper(testID) + "." + testSecret, "id"},
		{"short id", "wk.p." + testID[1:] + "." + testSecret, "id"},
		{"long id", "wk.p." + testID + "0." + testSecret, "id"},
		{"non-hex id", "wk.p.0123456789abcdeg." + testSecret, "id"},
		{"upper secret", "wk.p." + testID + "." + strings.ToUpper(testSecret), "secret"},
		{"short secret", "wk.p." + testID + "." + testSecret[1:], "secret"},
		{"long secret", "wk.p." + testID + "." + testSecret + "0", "secret"},
		{"space", " wk.p." + testID + "." + testSecret, "start"},
		{"trailing newline", "wk.p." + testID + "." + testSecret + "\n", "secret"},
		{"over-long", "wk.p." + testID + "." + testSecret + strings.Repeat("a", 300), "longer"},
		{"over-long dots", strings.Repeat(".", 301), "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.key)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tt.key)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.why) {
				t.Errorf("error %q does not mention %q", msg, tt.why)
			}
			if !strings.Contains(msg, "wk.<practice>.<16 hex>.<64 hex>") {
				t.Errorf("error %q does not show the format", msg)
			}
			for _, secret := range []string{testSecret, strings.ToUpper(testSecret), testSecret[1:]} {
				if strings.Contains(msg, secret[:16]) {
					t.Errorf("error %q repeats the secret", msg)
				}
			}
		})
	}
}

func TestObjectID(t *testing.T) {
	k := Key{Workspace: "p1", ID: testID, Secret: testSecret}
	obj := k.ObjectID()
	if obj != k.ObjectID() {
		t.Fatal("ObjectID is not stable")
	}
	if !strings.HasPrefix(obj, ObjectPrefix("p1", testID)) || ObjectPrefix("p1", testID) != "p1/"+testID+"/" {
		t.Fatalf("ObjectID %q does not start with ObjectPrefix", obj)
	}
	if strings.Contains(obj, testSecret) {
		t.Fatalf("ObjectID %q holds the secret", obj)
	}
	if len(obj) != len("p1/"+testID+"/")+64 {
		t.Fatalf("ObjectID %q has the wrong length", obj)
	}
	other := k
	other.Secret = strings.Repeat("0", 64)
	if other.ObjectID() == obj {
		t.Fatal("different secrets give the same ObjectID")
	}
	ws, id, ok := SplitObjectID(obj)
	if !ok || ws != "p1" || id != testID {
		t.Fatalf("SplitObjectID(%q) = %q, %q, %v", obj, ws, id, ok)
	}
}

func TestObjectIDKnownValue(t *testing.T) {
	// sha256("") is well known; the hash is of the secret's text.
	k := Key{Workspace: "p", ID: testID, Secret: ""}
	want := "p/" + testID + "/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := k.ObjectID(); got != want {
		t.Fatalf("ObjectID = %q, want %q", got, want)
	}
}

func TestSplitObjectIDRejects(t *testing.T) {
	hash := strings.Repeat("a", 64)
	for _, obj := range []string{
		"",
		"p1",
		"p1/" + testID,
		"p1/" + testID + "/",
		"p1/" + testID + "/" + hash + "/x",
		"/" + testID + "/" + hash,
		"p.1/" + testID + "/" + hash,
		"p1/" + strings.ToUpper(testID) + "/" + hash,
		"p1/" + testID + "/" + strings.ToUpper(hash),
		"p1/" + testID + "/" + hash[1:],
	} {
		if ws, id, ok := SplitObjectID(obj); ok || ws != "" || id != "" {
			t.Errorf("SplitObjectID(%q) = %q, %q, %v", obj, ws, id, ok)
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{testID, true},
		{"0000000000000000", true},
		{"", false},
		{testID[1:], false},
		{testID + "0", false},
		{"0123456789ABCDEF", false},
		{"0123456789abcdeg", false},
		{"0123456789abcde/", false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
