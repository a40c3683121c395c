//! A real SMTP server on loopback for the tests: it speaks enough SMTP for lettre, keeps
//! every message it accepts, and answers 550 for the addresses it is told to reject.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The message with quoted-printable soft line breaks undone.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The invitation link in the message.
    pub fn link(&self) -> String {
        let text = self.text();
        let start = text.find("http://").expect("a link in the email");
        let rest = &text[start..];
        let token_start =
            rest.find("/invitation/").expect("an invitation link") + "/invitation/".len();
        let end = token_start + 64;
        rest[..end].to_owned()
    }

    /// The path of the link, for the test client.
    pub fn link_path(&self) -> String {
        let link = self.link();
        let after_scheme = &link["http://".len()..];
        after_scheme[after_scheme.find('/').expect("a path")..].to_owned()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    reject: Arc<Mutex<Vec<String>>>,
    /// When set, the user name and password a client must sign in with (AUTH PLAIN).
    login: Option<(String, String)>,
    /// The user names that signed in, one per accepted AUTH.
    signed_in: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub fn start(reject: &[&str]) -> SmtpSink {
        Self::start_with(reject, None)
    }

    /// A sink that refuses mail until the client signs in with `user` and `password`.
    pub fn start_with_login(user: &str, password: &str) -> SmtpSink {
        Self::start_with(&[], Some((user.to_owned(), password.to_owned())))
    }

    pub fn signed_in(&self) -> Vec<String> {
        self.signed_in.lock().unwrap().clone()
    }

    fn start_with(reject: &[&str], login: Option<(String, String)>) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let sink = SmtpSink {
            port: listener.local_addr().expect("address").port(),
            received: Arc::default(),
            reject: Arc::new(Mutex::new(
                reject.iter().map(|s| s.to_lowercase()).collect(),
            )),
            login,
            signed_in: Arc::default(),
        };
        let serving = sink.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let one = serving.clone();
                std::thread::spawn(move || one.serve(stream));
            }
        });
        sink
    }

    pub fn accept_again(&self, address: &str) {
        self.reject
            .lock()
            .unwrap()
            .retain(|a| a != &address.to_lowercase());
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` messages arrived (the worker delivers in the background, on the
    /// test's own runtime: so this waits asynchronously, never blocking that runtime).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.received();
            if got.len() >= count || Instant::now() > deadline {
                assert!(
                    got.len() >= count,
                    "expected {count} emails, got {}",
                    got.len()
                );
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn serve(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let mut out = stream.try_clone().expect("clone the stream");
        let mut reader = BufReader::new(stream);
        let mut say = |line: &str| {
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\r\n");
        };
        say("220 sink.test ESMTP");
        let mut to = Vec::new();
        let mut authenticated = self.login.is_none();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let command = line.trim_end().to_string();
            let upper = command.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                if self.login.is_some() {
                    say("250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                } else {
                    say("250-sink.test\r\n250 8BITMIME");
                }
            } else if upper.starts_with("AUTH PLAIN ") {
                use base64::Engine;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(command["AUTH PLAIN ".len()..].trim())
                    .unwrap_or_default();
                let parts: Vec<String> = decoded
                    .split(|b| *b == 0)
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
                let given = (parts.get(1).cloned(), parts.get(2).cloned());
                match &self.login {
                    Some((user, password))
                        if given == (Some(user.clone()), Some(password.clone())) =>
                    {
                        authenticated = true;
                        self.signed_in.lock().unwrap().push(user.clone());
                        say("235 2.7.0 Authentication successful");
                    }
                    _ => say("535 5.7.8 Authentication credentials invalid"),
                }
            } else if upper.starts_with("MAIL FROM") && !authenticated {
                say("530 5.7.0 Authentication required");
            } else if upper.starts_with("MAIL FROM") {
                to.clear();
                say("250 OK");
            } else if upper.starts_with("RCPT TO") {
                let address = command[8..]
                    .trim()
                    .trim_start_matches(':')
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_lowercase();
                if self.reject.lock().unwrap().contains(&address) {
                    say("550 5.1.1 No such mailbox here");
                } else {
                    to.push(address);
                    say("250 OK");
                }
            } else if upper == "DATA" {
                say("354 End data with <CR><LF>.<CR><LF>");
                let mut data = String::new();
                loop {
                    let mut part = String::new();
                    if reader.read_line(&mut part).unwrap_or(0) == 0 {
                        return;
                    }
                    if part == ".\r\n" {
                        break;
                    }
                    data.push_str(&part);
                }
                self.received.lock().unwrap().push(Received {
                    to: to.clone(),
                    data,
                });
                say("250 OK queued");
            } else if upper == "QUIT" {
                say("221 Bye");
                return;
            } else {
                say("250 OK");
            }
        }
    }
}
