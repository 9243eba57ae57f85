package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/go-git/go-git/v5/plumbing/object"

	"kjjr/content"
	"kjjr/content/gitfs"
	"kjjr/inbox"
	"kjjr/review"
	"kjjr/sheet"
	"kjjr/site"
)

// demoNow is the demo's "today": the sample data is as of November 2026.
// Fixing it makes the tour the same on every run (on time, late, the
// deadlines), whatever the real date.
var demoNow = time.Date(2026, 11, 20, 10, 0, 0, 0, content.CST)

// demoMail is one message of the demo mailbox.
type demoMail struct {
	what     string // what it shows, for the printout
	from     string // "Name <addr>"
	subject  string
	received time.Time
	sheet    *demoSheet // nil: no sheet
	text     string
}

// demoSheet is what a filled monthly sheet says.
type demoSheet struct {
	name, uscc   string
	year         int
	month        time.Month
	served, jcg  int
	financing    []demoLoan
	fees         bool // 是否向服务对象收取费用
	banks, filed string
}

// demoLoan is one row of 融资明细: the amount in 万元, and whether the
// enterprise is registered in 晋创谷.
type demoLoan struct {
	wan int
	jcg bool
}

func demoMails() []demoMail {
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, content.CST)
		if err != nil {
			panic(err)
		}
		return t
	}
	return []demoMail{
		{
			what: "按时报送的月报（晋中市科技成果转化服务中心，2026年10月）",
			from: "马俊 <majun@kjcg-center.example.cn>", subject: "2026年10月月报-晋中市科技成果转化服务中心",
			received: at("2026-11-06 09:12"), text: "您好，附件是我中心2026年10月的绩效评价考核表，请查收。\n马俊",
			sheet: &demoSheet{name: "晋中市科技成果转化服务中心", uscc: "12140700407123459C", year: 2026, month: 10, served: 14, jcg: 5,
				financing: []demoLoan{{1200, true}, {960, false}}, banks: "晋商银行晋中分行、山西银行晋中分行", filed: "2026-11-05"},
		},
		{
			what: "逾期的月报（晋中太谷农科金融服务有限公司，2026年8月，截止 9月10日）",
			from: "孙丽 <sunli@taigu-nongke.example.cn>", subject: "补报 2026年8月月报",
			received: at("2026-11-18 16:40"), text: "8月月报漏报了，现补报，请谅解。",
			sheet: &demoSheet{name: "晋中太谷农科金融服务有限公司", uscc: "91140703MA0KB3R80F", year: 2026, month: 8, served: 9, jcg: 2,
				financing: []demoLoan{{620, false}}, banks: "山西农信太谷支行", filed: "2026-11-18"},
		},
		{
			what: "重新报送，第一次（平遥汇通科技金融咨询有限公司，2026年2月）",
			from: "刘建军 <liujj@huitong-pingyao.example.com>", subject: "2026年2月月报",
			received: at("2026-11-17 10:05"), text: "2月月报，请查收。",
			sheet: &demoSheet{name: "平遥汇通科技金融咨询有限公司", uscc: "91140728MA0GW5P174", year: 2026, month: 2, served: 6, jcg: 3,
				financing: []demoLoan{{280, true}}, banks: "平遥农商银行", filed: "2026-11-17"},
		},
		{
			what: "重新报送，第二次：改了数字（同一机构同一月份）",
			from: "刘建军 <liujj@huitong-pingyao.example.com>", subject: "更正：2026年2月月报",
			received: at("2026-11-18 09:30"), text: "上午发的表有误，以此为准。",
			sheet: &demoSheet{name: "平遥汇通科技金融咨询有限公司", uscc: "91140728MA0GW5P174", year: 2026, month: 2, served: 8, jcg: 4,
				financing: []demoLoan{{250, true}, {60, true}}, fees: true, banks: "平遥农商银行、晋商银行平遥支行", filed: "2026-11-18"},
		},
		{
			what: "陌生发件人（未登记的邮箱，自称晋创资本新同事）",
			from: "新同事 <newhire@mail.example.net>", subject: "晋创资本 2026年10月月报",
			received: at("2026-11-09 14:00"), text: "我是晋创资本新来的同事，以后由我报送。",
			sheet: &demoSheet{name: "山西晋创科技资本管理有限公司", uscc: "91140702MA0JQ7N36C", year: 2026, month: 10, served: 11, jcg: 3,
				financing: []demoLoan{{300, false}}, banks: "晋商银行晋中分行", filed: "2026-11-08"},
		},
	}
}

func cmdDemo(e *env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	noServe := fs.Bool("no-serve", false, "生成网站后不启动预览服务器，直接退出（测试用）")
	addr := fs.String("addr", "127.0.0.1:0", "预览服务器的监听地址（端口 0 表示自动选择）")
	keep := fs.String("dir", "", "把演示仓库和网站放在此目录（须不存在或为空）并保留；默认用临时目录，结束时删除")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "用法：kjjr demo [--no-serve] [--addr 127.0.0.1:0] [--dir DIR]\n\n一条命令走完整个流程（离线）：新建示例内容仓库、内置邮件服务器收到几份报送、\n收件、列出待审核、通过一份、生成并预览网站。\n\n参数：")
		fs.PrintDefaults()
	}
	if _, code, ok := parseFlags(fs, args); !ok {
		return code
	}
	root := *keep
	if root == "" {
		tmp, err := os.MkdirTemp("", "kjjr-demo-")
		if err != nil {
			fmt.Fprintf(e.stderr, "kjjr demo: 无法创建临时目录：%v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		root = tmp
	} else if ents, err := os.ReadDir(root); err == nil && len(ents) > 0 {
		fmt.Fprintf(e.stderr, "kjjr demo: %s 不是空目录，为免覆盖已有文件，请指定一个新目录\n", root)
		return 1
	}
	d := &demo{e: e, root: root, repo: filepath.Join(root, "content"), out: filepath.Join(root, "site")}
	if err := d.run(*noServe, *addr); err != nil {
		fmt.Fprintf(e.stderr, "kjjr demo: %v\n", err)
		return 1
	}
	return 0
}

type demo struct {
	e    *env
	root string
	repo string
	out  string
	step int
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.e.stdout, format+"\n", args...)
}

func (d *demo) head(title string) {
	d.step++
	fmt.Fprintf(d.e.stdout, "\n【第%d步】%s\n", d.step, title)
}

func (d *demo) run(noServe bool, addr string) error {
	w := d.e.stdout
	d.say("kjjr 演示：晋中市科技金融服务机构报送系统（离线，演示日期 %s）", content.DateOf(demoNow).Chinese())

	d.head("新建内容仓库（与 kjjr init 相同：内置示例数据 + git 仓库）")
	n, err := initRepo(d.repo, &object.Signature{Name: "科技局（演示）", Email: "kjjr@example.gov.cn", When: demoNow.Add(-30 * 24 * time.Hour)})
	if err != nil {
		return fmt.Errorf("新建内容仓库失败：%w", err)
	}
	d.say("已在 %s 新建内容仓库：%d 个文件，分支 main。", d.repo, n)

	d.head("启动内置邮件服务器（IMAP，仅本机），放入机构发来的邮件")
	imapAddr, stop, err := d.mailbox()
	if err != nil {
		return err
	}
	defer stop()
	d.say("邮件服务器：%s（用户 kjjr）", imapAddr)

	d.head("收件：kjjr inbox 处理一遍邮箱（等同 kjjr inbox --once）")
	wk, err := inbox.NewWorker(d.repo, &inbox.Options{
		IMAP:      inbox.IMAPConfig{Addr: imapAddr, User: "kjjr", Password: "demo", TLS: "none"},
		Now:       func() time.Time { return demoNow },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		LookupTXT: func(string) ([]string, error) { return nil, errors.New("offline demo: no DNS") },
	})
	if err != nil {
		return fmt.Errorf("收件模块启动失败：%w", err)
	}
	st, err := wk.RunOnce(d.e.ctx)
	wk.Close()
	if err != nil {
		return fmt.Errorf("收件失败：%w", err)
	}
	d.say("邮箱里 %d 封邮件：%d 封写入审核分支，%d 封进入隔离区，%d 封重复。", st.Seen, st.Committed, st.Quarantined, st.Duplicates)
	d.say("每份报送都是 main 之外的一个分支 submit/<机构>/<期间>，重新报送在同一分支上追加提交；回执已放入发件队列（演示中不发送）。")

	rv, err := review.Open(d.repo)
	if err != nil {
		return err
	}
	defer rv.Close()
	d.head("审核：kjjr review 列出待审核的报送")
	subs, err := rv.List()
	if err != nil {
		return err
	}
	writeReviewList(w, subs)

	d.head("隔离区：kjjr review --quarantine（陌生发件人不会进入任何机构的分支）")
	if code := writeQuarantine(d.e, rv); code != 0 {
		return errors.New("无法列出隔离区")
	}

	d.head("查看一份重新报送：kjjr review show submit/pingyao-huitong/2026-02（只列出变化部分）")
	if s, err := rv.Get("submit/pingyao-huitong/2026-02"); err == nil && s.Previous != nil {
		for _, c := range review.Diff(s.Previous, s.Report) {
			d.say("  %s：%s → %s", c.Label, c.Old, c.New)
		}
	} else {
		d.say("  （没有找到这份重新报送：%v）", err)
	}

	const approve = "submit/kejichengguo-center/2026-10"
	d.head("通过：kjjr review approve " + approve)
	a, err := rv.Approve(approve, object.Signature{Name: "演示审核员", Email: "shenhe@example.gov.cn"}, demoNow.Add(time.Hour))
	if err != nil {
		return fmt.Errorf("审核通过失败：%w", err)
	}
	d.say("已合并进 main（合并提交 %s，--no-ff，审核人记录在提交中）；工作区已同步。", a.Merge.String()[:12])
	d.say("同样可以用 git 完成：git merge --no-ff %s", approve)

	d.head("报送情况：kjjr status --year 2026")
	repo, ds, err := rv.LoadStatus()
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		return fmt.Errorf("示例数据有错误：%v", ds.Error())
	}
	pend, err := rv.Pending()
	if err != nil {
		return err
	}
	writeStatusText(w, 2026, content.DateOf(demoNow), repo.Compliance(2026, content.DateOf(demoNow), pend))

	d.head("生成公开网站（kjjr build）")
	fsys, _, err := gitfs.Rev(rv.Git, "main")
	if err != nil {
		return err
	}
	full, lerr := content.Load(fsys, nil)
	if lerr != nil {
		return fmt.Errorf("main 无法读取：%v", lerr)
	}
	res, err := site.Build(full, &site.Options{Out: d.out, Now: content.DateOf(demoNow)})
	if err != nil {
		return fmt.Errorf("生成网站失败：%w", err)
	}
	d.say("已生成 %d 个页面，输出在 %s。", res.Pages, d.out)
	page := "institutions/kejichengguo-center/reports/2026-10.html"
	if _, err := os.Stat(filepath.Join(d.out, filepath.FromSlash(page))); err != nil {
		return fmt.Errorf("网站中没有刚通过的报告页 %s：%v", page, err)
	}

	d.head("预览网站")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s：%w", addr, err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(d.out)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/"
	body, err := httpGet(d.e.ctx, base+page)
	if err != nil {
		return fmt.Errorf("预览服务器没有返回报告页：%w", err)
	}
	if !strings.Contains(body, "2026年10月") {
		return fmt.Errorf("报告页 %s 中没有 2026年10月", page)
	}
	d.say("刚通过的报告：%s%s", base, page)
	d.say("机构页面：  %sinstitutions/kejichengguo-center/", base)
	if noServe {
		d.say("\n演示完成（--no-serve：不保持预览）。")
		return nil
	}
	d.say("\n在浏览器中打开上面的网址；按 Ctrl-C 结束演示。")
	<-d.e.ctx.Done()
	d.say("演示结束。")
	return nil
}

// mailbox starts go-imap's in-memory server on loopback with the demo mail.
func (d *demo) mailbox() (string, func(), error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("kjjr", "demo")
	if err := u.Create("INBOX", nil); err != nil {
		return "", nil, err
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("无法启动邮件服务器：%w", err)
	}
	go srv.Serve(ln)
	stop := func() { srv.Close() }
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		stop()
		return "", nil, err
	}
	defer c.Close()
	if err := c.Login("kjjr", "demo").Wait(); err != nil {
		stop()
		return "", nil, err
	}
	for i, m := range demoMails() {
		raw, err := m.compose(i)
		if err != nil {
			stop()
			return "", nil, err
		}
		ac := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: m.received})
		if _, err := ac.Write(raw); err != nil {
			stop()
			return "", nil, err
		}
		if err := ac.Close(); err != nil {
			stop()
			return "", nil, err
		}
		if _, err := ac.Wait(); err != nil {
			stop()
			return "", nil, err
		}
		d.say("  %d. %s —— 发件人 %s，%s 收到", i+1, m.what, m.from, m.received.Format("1月2日 15:04"))
	}
	return ln.Addr().String(), stop, nil
}

// compose writes the mail as a mail client would (go-message): multipart,
// the text and the sheet base64-encoded, the sheet as an .xlsx attachment
// with an encoded name. The boundary is fixed so that the tour is the same
// on every run.
func (m demoMail) compose(i int) ([]byte, error) {
	var h mail.Header
	name, addr, _ := strings.Cut(strings.TrimSuffix(m.from, ">"), " <")
	h.SetAddressList("From", []*mail.Address{{Name: name, Address: addr}})
	h.SetAddressList("To", []*mail.Address{{Address: "kjjr@example.gov.cn"}})
	h.SetSubject(m.subject)
	h.SetDate(m.received.Add(-2 * time.Minute))
	h.SetMessageID(fmt.Sprintf("demo-%d-%d@example.net", i+1, m.received.Unix()))
	h.Set("MIME-Version", "1.0")
	h.SetContentType("multipart/mixed", map[string]string{"boundary": "=_kjjr_demo"})
	var b bytes.Buffer
	mw, err := message.CreateWriter(&b, h.Header)
	if err != nil {
		return nil, err
	}
	part := func(ph message.Header, data []byte) error {
		ph.Set("Content-Transfer-Encoding", "base64")
		w, err := mw.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		return w.Close()
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	if err := part(th.Header, []byte(m.text)); err != nil {
		return nil, err
	}
	if m.sheet != nil {
		var x bytes.Buffer
		inst, rep := m.sheet.report()
		if err := sheet.Fill(&x, inst, rep); err != nil {
			return nil, err
		}
		var ah mail.AttachmentHeader
		fn := "绩效评价考核表-" + m.sheet.name + ".xlsx"
		ah.SetContentType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", map[string]string{"name": fn})
		ah.SetFilename(fn)
		if err := part(ah.Header, x.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// report is what the institution types into the monthly sheet: the
// figures of s, the rest as a typical month.
func (s *demoSheet) report() (*content.Institution, *content.Report) {
	per := content.MonthPeriod(s.year, s.month)
	filed, _ := content.ParseDate(s.filed)
	no, yes := false, true
	fees := &no
	if s.fees {
		fees = &yes
	}
	rep := &content.Report{
		Kind: content.Monthly.String(), Period: per, Filer: "演示填报人", Phone: "0354-5550000", FiledOn: filed,
		Indicators: &content.Indicators{
			EnterprisesServed: s.served, JinchuangguEnterprises: s.jcg, NeedsSurveyed: s.served / 2,
			MatchmakingEvents: 1, Roadshows: 1, OnsiteVisits: 3, PolicySessions: 1, PolicyEnterprises: 15,
			LoanSubsidyEnterprises: 1,
		},
		PartnerBanks: strings.Split(s.banks, "、"), ChargedFees: fees,
	}
	for i, f := range s.financing {
		first17 := fmt.Sprintf("91140700MA0D%05d", i+1)
		code, _ := content.USCCCheckChar(first17)
		amount := content.Wan(f.wan * 100)
		rep.Financing = append(rep.Financing, content.Financing{
			Enterprise: fmt.Sprintf("晋中示例科技有限公司%d", i+1), USCC: first17 + string(code), Jinchuanggu: f.jcg,
			Lender: "晋商银行晋中分行", Method: "信用贷款", AmountWan: amount, Disbursed: filed,
		})
		rep.Indicators.FinancingWan += amount
		if f.jcg {
			rep.Indicators.JinchuangguFinancingWan += amount
		}
	}
	return &content.Institution{Name: s.name, USCC: s.uscc}, rep
}

func httpGet(ctx context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %s", resp.Status)
	}
	return string(b), nil
}
