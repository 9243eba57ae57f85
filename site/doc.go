// Package site renders a loaded content repo (package content) to the
// public static site of the register: home, 机构名录 and one page per
// institution with its status history, reporting compliance and charts,
// one page per approved monthly report (public indicators only), 通知公告
// with an Atom feed, selection rounds (第三条), 公示, annual results (第六条),
// statistics, open data, client-side search, sitemap, robots.txt, 404, the
// 报送指南 and the blank monthly sheet.
//
// Templates and assets are embedded. Assets are published under names
// that carry a hash of their bytes (AssetPath: assets/site.<hash>.css), so
// that a web server can have browsers keep them for good while the pages,
// revalidated, name the ones they were rendered with. Output is deterministic: the same repo
// and the same Options.Now give byte-identical files. Build streams pages
// to disk from a pool of workers, writes only files whose bytes changed,
// removes files that no longer belong, and keeps a small manifest
// (ManifestName) in the output directory so that a later build skips
// rendering the pages of institutions whose public data did not change.
//
// BuildRef builds from a git ref without a work tree. It is incremental by
// tree hashes (an institution whose subtree is unchanged is taken from a
// tree cache, not read from git), and when only a few institutions'
// directories changed, their index.md aside, it is a delta build: it
// loads those institutions alone and renders their pages, the figures
// (home, statistics, monthly and yearly data) and the sitemap from a build
// state kept in the git directory (delta.go says what the state holds and
// why that is enough). Either way the output is byte-identical to a Build
// of a checkout of the same commit.
//
// Private fields of the model (report senders, DKIM keys, filers, phones,
// financing detail rows, 服务企业名单, evidence, message identifiers, report
// bodies) are never read by the renderer: every page is built from a
// public view that copies only public fields (see view.go). The enterprise
// lists reach it only as counts (content.DistinctCounter): 服务企业 and
// 晋创谷企业 per year as 家 (distinct enterprises) beside 家次 (the sum of
// the monthly figures), with how many reports had a list, on the
// statistics, results and institution pages and in data/yearly.csv/json.
//
// Nothing is public before its date: a notice before its date, a result
// before it takes effect or while a draft, a publicity (its page and list
// of institutions, search entry, sitemap URL, links) before its start.
// Result.NextChange says when the output next changes by itself.
//
// Notice attachments are copied only when they are regular files in the
// repo (read through content.ReadRegular: no link followed) of one of
// content.AttachmentTypes.
//
// The forms institutions fill in are part of every build, made by the
// code that reads them back: the blank monthly sheet at SheetPath (the
// bytes of sheet.Template, which kjjr template writes; the site imports
// package sheet, never the inbox), the blank application form of a
// selection round at ApplicationPath (application.Template, kjjr template
// --application; every round's 遴选通知 page offers it, listed or not) and
// the 报送指南 at GuidePath (site.yaml
// inbox.address, what to attach, the deadlines by content.Due's rule,
// what the receipt says, whom to call). A notice attachment whose file is
// a published form's site path, or that has no file and whose title names
// the form, links the published form; every institution page (如何报送), the
// footer and the 网站地图 link both.
//
// Markdown (notice bodies, institution introductions) is rendered with
// goldmark; raw HTML in it is escaped and shown as text, never passed
// through, and dangerous link schemes are dropped.
//
// Server is the development server behind kjjr serve: it builds into a
// directory, serves it, watches the content directory with fsnotify and
// re-renders only what a change affects, and reloads open pages. It is a
// local preview: loopback Host names only (plus the host it listens on),
// GET and HEAD only, timeouts and a cap on live-reload streams, and the
// headers a production server should send too (ContentSecurityPolicy).
package site
