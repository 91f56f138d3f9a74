package protocol

import "strings"

// DescribeParts describes one WebSocket message by the messages of its
// protocol that a Framer's Splitter returned for it (parts; the message
// itself for a profile that is not a Framer): the first part's Kind,
// Channel, Name and ID, a heartbeat only if every part is, and the parts'
// summaries joined by " · ", read until they pass limit bytes (0: no
// limit; the caller cuts the Summary to its width). A message that
// completes no part (a piece of one) gets an empty Description.
func DescribeParts(p Profile, parts []Message, limit int) Description {
	var d Description
	var sums []string
	n := 0
	for i, m := range parts {
		ds := p.Describe(m)
		if i == 0 {
			d = ds
		}
		d.Heartbeat = d.Heartbeat && ds.Heartbeat
		if ds.Summary != "" {
			if len(sums) > 0 {
				n += len(" · ")
			}
			sums = append(sums, ds.Summary)
			n += len(ds.Summary)
		}
		if limit > 0 && n > limit {
			break
		}
	}
	d.Summary = strings.Join(sums, " · ")
	return d
}
