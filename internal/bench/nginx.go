package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// nginxPath is where Debian's nginx-light puts nginx.
const nginxPath = "/usr/sbin/nginx"

// nginxConfig proxies WebSockets on loopback to upstream with one worker,
// and nginx's defaults otherwise; every path nginx writes is under dir.
const nginxConfig = `daemon off;
master_process on;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen %[2]s;
		location / {
			proxy_pass http://%[3]s;
			proxy_http_version 1.1;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection "upgrade";
			proxy_read_timeout 1h;
			proxy_send_timeout 1h;
		}
	}
}
`

// startNginx starts nginx in front of upstream (host:port), in a process
// this program owns, and returns its URL, its master's process, and how to
// stop it; or a reason why there is no nginx.
func startNginx(dir, upstream string) (url string, cmd *exec.Cmd, stop func(), why string) {
	bin := nginxPath
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("nginx"); err != nil {
			return "", nil, nil, "nginx is not installed (apt-get install nginx-light)"
		}
	}
	addr, err := freePort()
	if err != nil {
		return "", nil, nil, err.Error()
	}
	ndir := filepath.Join(dir, "nginx")
	os.MkdirAll(ndir, 0o755)
	conf := filepath.Join(ndir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConfig, ndir, addr, upstream)), 0o644); err != nil {
		return "", nil, nil, err.Error()
	}
	cmd = exec.Command(bin, "-p", ndir, "-c", conf, "-e", filepath.Join(ndir, "error.log"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, nil, "cannot start nginx: " + err.Error()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			log, _ := os.ReadFile(filepath.Join(ndir, "error.log"))
			return "", nil, nil, "nginx did not start: " + strings.TrimSpace(string(log))
		}
	}
	return "ws://" + addr, cmd, func() {
		cmd.Process.Signal(os.Interrupt) // fast shutdown; the worker goes with the master
		cmd.Wait()
	}, ""
}

// freePort returns a loopback address with a port free now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// treeCPU returns the CPU time of a process and its children (nginx's
// master and its worker).
func treeCPU(pid int) time.Duration {
	total := cpuTime(pid)
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, f := range strings.Fields(string(data)) {
		var child int
		fmt.Sscan(f, &child)
		total += cpuTime(child)
	}
	return total
}
