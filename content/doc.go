// Package content is the shared vocabulary of kjjr: the typed records of the
// 晋中市《科技金融服务机构遴选及考核管理办法（试行）》 (the measures), their
// Markdown-with-YAML-front-matter codec, the loader that reads a content repo
// from any fs.FS into one validated model, and the working-day calendar.
//
// A content repo is laid out as
//
//	site.yaml                               site settings (see Site)
//	calendar/<year>.yaml                    holidays and adjusted working days (see Calendar)
//	notices/<slug>.md                       通知公告 (see Notice)
//	rounds/<slug>.md                        selection rounds, 第三条 (see Round)
//	publicity/<slug>.md                     公示, 第三条第5项 (see Publicity)
//	institutions/<slug>/index.md            institution records, 第一条、第二条 (see Institution)
//	institutions/<slug>/reports/<period>.md monthly, half-year and annual reports, 第五条第3项 (see Report)
//	institutions/<slug>/inspections/*.md    supervision checks, 第五条第2项 (see Inspection)
//	results/<year>.md                       annual assessment results, 第六条 (see Result)
//
// Load reads such a tree; it never stops at the first problem but collects
// every one as a Diagnostic with file and line. Repo.Check adds the
// validation rules of the measures on top of what Load found.
//
// For a directory on disk, Load(DirFS(dir), nil) is the safe and fast way:
// it follows no symbolic link and opens no FIFO or device (a link in the
// repo could publish a file from outside it or a private report), and its
// file reads are cheaper than os.DirFS's. Load reports such entries as
// errors, checks a record's size before reading it (MaxRecordSize), and
// refuses notice attachments outside AttachmentTypes. Front matter in the plain block style that
// EncodeRecord writes is decoded by a fast path; anything else goes through
// yaml.v3, with the same result (FuzzDecodeRecord checks both agree).
// Package kjjr/content/corpus writes synthetic repos of any size for
// benchmarks; the default dataset is package kjjr/content/jinzhong.
//
// A git tree (package kjjr/content/gitfs) names each directory by a hash
// of everything under it. LoadTree loads such a tree (a TreeFS) as Load
// does, with a TreeCache keyed by those hashes: an institution whose
// subtree is unchanged since the last load is taken from the cache
// without being read, so a load after one approved report reads one
// institution. TreeOptions.Compliance loads only what the compliance
// matrix (kjjr status) needs, and such a cache can be kept in a file
// between runs (ReadTreeCache, TreeCache.WriteFile). ReadSite reads
// site.yaml alone, with Load's defaults.
//
// Private fields (report senders, filers, financing detail rows, the
// 服务企业名单 of monthly sheets, evidence, message identifiers) are marked
// "private" in their doc comments; package site must never render them.
// Of the enterprise lists the site gets only counts: a report loaded with
// LoadOptions.Public keeps a Served (a hash per USCC, no name or code), from
// which DistinctCounter counts a year's distinct enterprises (served.go).
package content
