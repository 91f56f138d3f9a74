package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docs/sql.md quotes, whole, every query internal/e2e runs with DuckDB
// (TestDuckDBDirectory, TestDuckDBS3): the page's queries are the tested
// ones.
func TestDocsQuoteSQL(t *testing.T) {
	page, err := os.ReadFile("../../docs/sql.md")
	if os.IsNotExist(err) {
		t.Skip("docs/sql.md is not there yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../../internal/e2e/testdata/sql/*.sql")
	if len(files) < 4 {
		t.Fatalf("found %d query files in internal/e2e/testdata/sql", len(files))
	}
	for _, f := range files {
		q, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page), "```sql\n"+strings.TrimSpace(string(q))+"\n```") {
			t.Errorf("docs/sql.md does not quote %s whole in a sql block", filepath.Base(f))
		}
	}
}
