// Package publish puts a build of the content repo's main branch on the
// public web server, atomically, with rollback.
//
// # Layout of a web root
//
// A web root WEBROOT that Publish manages holds:
//
//	WEBROOT/current          a symlink to releases/<id>: the web server's root
//	WEBROOT/releases/<id>/   one release: the complete site, as built
//	WEBROOT/releases/<id>.json  what the release is (Release): not served
//	WEBROOT/build/           the incremental build directory (site.Build's
//	                         output with its manifest): never served
//	WEBROOT/.lock            held while a publish or rollback runs
//
// Release ids are "<sequence>-<commit>" (six decimal digits, then the first
// 12 hex digits of the commit), so they sort in publishing order.
//
// # Contract
//
// A publish builds the commit into WEBROOT/build (site.Build, incremental:
// only what changed is rendered and written), then makes the new release
// as a tree of hard links to the files of WEBROOT/build (the manifest
// excepted), and only when the release is complete does WEBROOT/current
// switch to it, by renaming a new symlink over the old one: a request
// sees either the old release or the new one, whole. Files are never
// written in place once they are in a release: site.Build replaces a
// changed file in WEBROOT/build by a new file renamed over it (and creates
// new files exclusively), so the hard links in earlier releases keep their
// bytes. Unchanged files are shared by all releases, so a release costs
// one link per file, not a copy.
//
// Every page carries <meta name="kjjr-release" content="<id>"> naming the
// release that rendered it (site.Options.Release); a page an incremental
// build kept as it was carries the earlier release that rendered it.
//
// A publish of the same commit as of the same date as the live release
// (and by the same kjjr build) makes no new release: it reads the ref and
// one small file and returns (Result.Unchanged). A date change (the site
// changes by itself on dates, see site.Result.NextChange) makes a new
// release in which only the pages that changed are rendered again.
//
// Rollback switches current back to the release before it. Publish keeps
// the last Options.Keep releases (default 5) and the live one.
//
// # Status
//
// Publishes through a git directory (the server's bare repo) log one line
// each to <gitdir>/kjjr/publish.log and keep the last result in
// <gitdir>/kjjr/publish.json (Status, ReadStatus), which kjjr publish
// --status and the health checks read.
package publish
