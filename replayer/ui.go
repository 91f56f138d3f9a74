package replayer

import "net/http"

func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	writeError(w, notFound("no page "+r.URL.Path))
}
