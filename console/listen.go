package console

import (
	"fmt"
	"net"
	"net/netip"
)

// CheckListen refuses to serve on an address other than loopback unless
// TLS is configured or a trusted proxy is named: the console carries
// passwords and session cookies, which must not cross a network in clear.
func CheckListen(addr string, tls bool, proxy string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("监听地址 %q 格式不对：应写作 127.0.0.1:8080", addr)
	}
	if isLoopbackHost(host) || tls || proxy != "" {
		if proxy != "" {
			if _, err := netip.ParseAddr(proxy); err != nil {
				return fmt.Errorf("--behind-proxy %q 不是 IP 地址：请写反向代理连接本机时的地址，例如 127.0.0.1", proxy)
			}
		}
		return nil
	}
	return fmt.Errorf("拒绝在 %s 上以明文 HTTP 提供控制台：密码和会话会在网络上明文传输。请用 --tls-cert 和 --tls-key 启用 HTTPS，或用 --behind-proxy 指明前置的 HTTPS 反向代理地址，或只监听 127.0.0.1", addr)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
