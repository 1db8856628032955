package model

import "testing"

func ringValues(r *Ring[int]) []int {
	var out []int
	for i := 0; i < r.Len(); i++ {
		out = append(out, *r.At(i))
	}
	return out
}

func TestRing(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		push    int // pushes 1..push
		want    []int
		dropped int
	}{
		{"empty", 3, 0, nil, 0},
		{"under", 3, 2, []int{1, 2}, 0},
		{"exactly full", 3, 3, []int{1, 2, 3}, 0},
		{"wraps", 3, 5, []int{3, 4, 5}, 2},
		{"grows past first allocation", 40, 35, seq(1, 35), 0},
		{"grows then wraps", 40, 100, seq(61, 100), 60},
		{"max below one", 0, 3, []int{3}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRing[int](tc.max)
			dropped := 0
			for i := 1; i <= tc.push; i++ {
				old, ok := r.Push(i)
				if ok {
					if want := i - r.Max(); old != want {
						t.Fatalf("push %d dropped %d, want %d", i, old, want)
					}
					dropped++
				}
			}
			if got := ringValues(r); !equalInts(got, tc.want) {
				t.Fatalf("values %v, want %v", got, tc.want)
			}
			if dropped != tc.dropped {
				t.Fatalf("dropped %d, want %d", dropped, tc.dropped)
			}
			if r.Slots() > r.Max() {
				t.Fatalf("slots %d over max %d", r.Slots(), r.Max())
			}
		})
	}
}

func TestRingPopShrinkClear(t *testing.T) {
	r := NewRing[*int](1000)
	for i := 0; i < 1000; i++ {
		v := i
		r.Push(&v)
	}
	for i := 0; i < 990; i++ {
		v, ok := r.PopOldest()
		if !ok || *v != i {
			t.Fatalf("pop %d: %v %v", i, v, ok)
		}
	}
	r.Shrink()
	if r.Slots() > 40 || r.Len() != 10 || **r.At(0) != 990 || **r.Newest() != 999 || **r.Oldest() != 990 {
		t.Fatalf("after shrink: slots %d len %d", r.Slots(), r.Len())
	}
	// Dropped slots are zeroed: nothing pins a popped pointer.
	for i := r.Len(); i < r.Slots(); i++ {
		if r.buf[r.slot(i)] != nil {
			t.Fatalf("slot %d still holds a value", i)
		}
	}
	r.Clear()
	if r.Len() != 0 || r.Slots() != 0 || r.Newest() != nil {
		t.Fatal("clear left values")
	}
	if _, ok := r.PopOldest(); ok {
		t.Fatal("pop from empty")
	}
	f := NewFullRing[int](8)
	if f.Slots() != 8 || f.Len() != 0 {
		t.Fatalf("full ring: slots %d len %d", f.Slots(), f.Len())
	}
}

func seq(a, b int) []int {
	var out []int
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
