package main

import (
	"regexp"
	"runtime/debug"
)

// releaseVersion and releaseCommit name a release build. deploy/release.sh
// and deploy/build-image.sh set them:
//
//	go build -ldflags "-X main.releaseVersion=v1.2.3 -X main.releaseCommit=$(git rev-parse HEAD)"
var releaseVersion, releaseCommit string

// version is what --version prints after "wsreplay version ".
func version() string {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(releaseVersion, releaseCommit, info)
}

// describeBuild names a build as "VERSION (commit HASH)", the hash cut to
// 12 digits and left out where unknown:
//
//   - a release build: the version and commit it was given (-X), the
//     commit from the build info if it was given none;
//   - installed with go install module@version (built from the module's
//     download, so info.Main.Sum is set): that version, and the commit a
//     pseudo-version names; a tag names its own commit, which a module
//     download does not carry;
//   - any other build (go build or go install in a checkout): "dev", with
//     the checkout's commit if the go command stamped it (vcs.revision),
//     "+modified" when the checkout had changes.
//
// info may be nil.
func describeBuild(relVersion, relCommit string, info *debug.BuildInfo) string {
	var rev, modified string
	if info != nil {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = "+modified"
			}
		}
	}
	switch {
	case relVersion != "":
		if relCommit != "" {
			return withCommit(relVersion, relCommit, "")
		}
		return withCommit(relVersion, rev, modified)
	case info != nil && info.Main.Sum != "" && info.Main.Version != "" && info.Main.Version != "(devel)":
		commit := ""
		if m := pseudoRev.FindStringSubmatch(info.Main.Version); m != nil {
			commit = m[1]
		}
		return withCommit(info.Main.Version, commit, "")
	}
	return withCommit("dev", rev, modified)
}

// pseudoRev finds the commit in a pseudo-version
// (v0.0.0-20261207174700-776b531abcde; https://go.dev/ref/mod#pseudo-versions).
var pseudoRev = regexp.MustCompile(`[.-]\d{14}-([0-9a-f]{12})(\+incompatible)?$`)

// withCommit appends " (commit HASH)" to version, the hash cut to 12 digits
// and followed by suffix, unless commit is empty.
func withCommit(version, commit, suffix string) string {
	if commit == "" {
		return version
	}
	return version + " (commit " + commit[:min(len(commit), 12)] + suffix + ")"
}
