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
//	WEBROOT/releases/<id>.objects  the objects the release uses: not served
//	WEBROOT/objects/<slug>-<key>/  one institution's pages as some release
//	                         has them (site.Result.PageGroups): never
//	                         changed; releases link to them
//	WEBROOT/objects/<top>.<leaf>-<key>/  likewise a directory <top>/<leaf>/
//	                         of other pages that holds files only (a
//	                         notice's, a round's): see below
//	WEBROOT/objects/<name>.link  the symlink to object <name> that releases
//	                         hard-link (it dangles where it is: its
//	                         target is relative to the directory two
//	                         levels down in a release that it is)
//	WEBROOT/build/           the incremental build directory (site.Build's
//	                         output with its manifest): never served
//	WEBROOT/trash/           what a publish removed (old releases,
//	                         objects no kept release uses), moved there
//	                         under the lock and deleted after it: never
//	                         served
//	WEBROOT/.lock            held while a publish or rollback runs
//
// Release ids are "<sequence>-<commit>" (six decimal digits, then the first
// 12 hex digits of the commit), so they sort in publishing order.
//
// # Contract
//
// A publish builds the commit into WEBROOT/build with site.BuildRef:
// incremental by tree hashes, its tree cache and build state kept in the
// git directory (site.DefaultCacheFile), so an institution whose subtree
// did not change is neither read from git nor rendered, and only what
// changed is written; when only some institutions' reports changed it is
// a delta build, which does not load the other institutions at all. It then makes the new release as a tree of hard links to the
// files of WEBROOT/build (the manifest excepted), and only when the
// release is complete does WEBROOT/current switch to it, by renaming a
// new symlink over the old one: a request sees either the old release or
// the new one, whole. Files are never written in place once they are in
// a release: site.Build replaces a changed file in WEBROOT/build by a new
// file renamed over it (and creates new files exclusively), so the hard
// links in earlier releases keep their bytes. Unchanged files are shared
// by all releases. An institution's directory (institutions/<slug>/, its
// pages, one render group) is shared whole: the release holds a symlink
// to WEBROOT/objects/<slug>-<key>, named by the key of what its pages
// were rendered from, made of hard links when a release first has it.
// That symlink is itself shared: it is a hard link to the object's
// symlink WEBROOT/objects/<slug>-<key>.link (made with the object, after
// it, and removed before it), so every release that has the object names
// the same symlink inode, and a release allocates no inode per
// institution, only a directory entry. Where the file system cannot
// hard-link a symlink, the release holds a symlink of its own, the same
// to the web server. The other pages' directories two levels down that
// hold files only (notices/<slug>/, rounds/<id>/, publicity/<id>/:
// hundreds) are shared the same way, as objects <top>.<leaf>-<key> whose
// key hashes their files' names and identities (device and inode: the
// build replaces a file it changes by a new one, and an object's hard
// links keep its inodes from being reused). So a release costs a
// directory for each of the few directories above those, a hard link
// per file there, and one link per institution or shared directory (at
// 5000 institutions 13 directories, 34 hard links to files and 5228 to
// shared symlinks, instead of 125,000 hard links or 5000 new symlinks),
// not a copy. The web server follows the symlinks (nginx does by
// default).
// Objects no kept release uses are removed, with their symlinks, when
// releases are: a publish moves them and the old releases into
// WEBROOT/trash (a rename each) before it releases the lock, and deletes
// them after, so that deleting an old release, or after an upgrade of
// kjjr the objects of a whole site, never holds up the next publish.
//
// # Release ids in pages
//
// Every page carries <meta name="kjjr-release" content="<id>"> naming the
// release whose build rendered it (site.Options.Release). A page that a
// build did not render again (its inputs unchanged) keeps the bytes, and
// so the id, of the earlier release that rendered it; it is the same
// file, shared by hard link. The id is therefore not "the live release"
// but "the release this page's bytes come from". Stamping every page with
// the live release instead would make every page differ in every
// release: each publish would render and write the whole site, and no
// file could be shared, which is what incremental publishing exists to
// avoid. What a test (or an operator) relies on stays checkable: the id
// and a page's content agree (the page is what that release's commit
// renders), a page's id never goes backwards, and a set of pages fetched
// together is the set of one release tree when the ids it carries are
// those the pages of releases/<id>/ carry (each release tree is kept on
// disk and can be read back).
//
// A publish of the same commit as of the same date as the live release
// (and by the same kjjr build, named by its build ID in
// Release.Version) makes no new release: it reads the ref and
// one small file and returns (Result.Unchanged). A date change (the site
// changes by itself on dates, see site.Result.NextChange) makes a new
// release in which only the pages that changed are rendered again.
//
// Rollback switches current back to the release before it. Publish keeps
// the last Options.Keep releases (default 5) and the live one.
//
// # The push gate
//
// CheckPush is the pre-receive hook of the content repo. Its cost follows
// the size of the push, not of the repo: a push to main that changes
// only the reports and inspections of some institutions (an approved
// report) is checked on those institutions alone, reading neither the
// other institutions nor the notices, and refused on exactly the errors
// a check of the whole repo would add. Why that is sound, and which
// pushes are checked whole, is stated at checkMain (gate.go): in short,
// no rule of kjjr check compares reports or inspections across
// institutions, and the rules that compare institutions read only their
// index.md, which such a push does not change. submission.CheckTree
// walks only the subtrees whose hash changed.
//
// # Status
//
// Publishes through a git directory (the server's bare repo) log one line
// each to <gitdir>/kjjr/publish.log and keep the last result in
// <gitdir>/kjjr/publish.json (Status, ReadStatus), which kjjr publish
// --status and the health checks read.
package publish
