package diff

// op is one step of an alignment of two message sequences.
type op uint8

const (
	opMatch  op = iota // a[i] and b[j] are the same message
	opRemove           // a[i] is not in b
	opAdd              // b[j] is not in a
)

// lcs aligns a and b by a longest common subsequence. It needs
// (len(a)+1)*(len(b)+1) uint16 cells: the caller keeps both below 65535.
// Where several alignments are as long, a removal comes before an addition,
// so that a changed message reads as - then +.
func lcs(a, b []*Message) []op {
	n, m := len(a), len(b)
	w := m + 1
	table := make([]uint16, (n+1)*w) // table[i*w+j]: LCS of a[i:] and b[j:]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			var v uint16
			switch {
			case same(a[i], b[j]):
				v = table[(i+1)*w+j+1] + 1
			case table[(i+1)*w+j] >= table[i*w+j+1]:
				v = table[(i+1)*w+j]
			default:
				v = table[i*w+j+1]
			}
			table[i*w+j] = v
		}
	}
	ops := make([]op, 0, n+m)
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case same(a[i], b[j]) && table[i*w+j] == table[(i+1)*w+j+1]+1:
			ops = append(ops, opMatch)
			i, j = i+1, j+1
		case table[(i+1)*w+j] >= table[i*w+j+1]:
			ops = append(ops, opRemove)
			i++
		default:
			ops = append(ops, opAdd)
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, opRemove)
	}
	for ; j < m; j++ {
		ops = append(ops, opAdd)
	}
	return ops
}

// commitLen returns how many of ops to act on now, when more messages may
// follow the windows: up to the first match after half of either window
// is used, so that the part of the alignment kept does not depend much on
// what lies beyond the windows. With final set, all of them.
func commitLen(ops []op, n, m int, final bool) int {
	if final {
		return len(ops)
	}
	i, j := 0, 0
	for k, o := range ops {
		if (i >= n/2 || j >= m/2) && o == opMatch {
			return k
		}
		switch o {
		case opMatch:
			i, j = i+1, j+1
		case opRemove:
			i++
		case opAdd:
			j++
		}
	}
	return len(ops)
}
