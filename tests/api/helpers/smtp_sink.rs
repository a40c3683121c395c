//! A real SMTP server on loopback for the tests: it speaks enough SMTP for lettre, keeps
//! every message it accepts, answers 550 for the addresses it is told to reject and 451
//! (try later) at the end of the message for those it is told to defer, and can hold
//! messages unanswered, as a server that stalls or dies mid-delivery does.

use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
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

    /// The Message-ID header's value.
    pub fn message_id(&self) -> String {
        self.data
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("message-id")
                    .then(|| value.trim().to_owned())
            })
            .expect("a Message-ID header")
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

    /// The path of the one-time link under `prefix` ("/email-change/"), for the test client.
    pub fn path_under(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
        text[start..start + prefix.len() + 64].to_owned()
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
    defer: Arc<Mutex<Vec<String>>>,
    /// The messages answered 451, whole, as they arrived.
    deferred: Arc<Mutex<Vec<Received>>>,
    /// When set, messages beyond this many accepted ones are held (see `hold_after`).
    hold_after: Arc<Mutex<Option<usize>>>,
    holding: Arc<AtomicUsize>,
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
            defer: Arc::default(),
            deferred: Arc::default(),
            hold_after: Arc::default(),
            holding: Arc::default(),
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

    /// Answers 451 (try again later) at the end of every message to `address`.
    pub fn defer(&self, address: &str) {
        self.defer.lock().unwrap().push(address.to_lowercase());
    }

    pub fn stop_deferring(&self) {
        self.defer.lock().unwrap().clear();
    }

    pub fn deferred(&self) -> Vec<Received> {
        self.deferred.lock().unwrap().clone()
    }

    /// Once `accepted` messages were accepted, each further one is held at the end of its
    /// data without an answer: accepted when `release` is called, dropped (never
    /// delivered) if the client goes away first.
    pub fn hold_after(&self, accepted: usize) {
        *self.hold_after.lock().unwrap() = Some(accepted);
    }

    pub fn release(&self) {
        *self.hold_after.lock().unwrap() = None;
    }

    /// Waits until exactly `count` messages are being held.
    pub async fn wait_held(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.holding.load(Ordering::SeqCst) != count {
            assert!(
                Instant::now() < deadline,
                "expected {count} held messages, there are {}",
                self.holding.load(Ordering::SeqCst)
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
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
        let say = |out: &mut TcpStream, line: &str| {
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\r\n");
        };
        say(&mut out, "220 sink.test ESMTP");
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
                    say(&mut out, "250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                } else {
                    say(&mut out, "250-sink.test\r\n250 8BITMIME");
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
                        say(&mut out, "235 2.7.0 Authentication successful");
                    }
                    _ => say(&mut out, "535 5.7.8 Authentication credentials invalid"),
                }
            } else if upper.starts_with("MAIL FROM") && !authenticated {
                say(&mut out, "530 5.7.0 Authentication required");
            } else if upper.starts_with("MAIL FROM") {
                to.clear();
                say(&mut out, "250 OK");
            } else if upper.starts_with("RCPT TO") {
                let address = command[8..]
                    .trim()
                    .trim_start_matches(':')
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_lowercase();
                if self.reject.lock().unwrap().contains(&address) {
                    say(&mut out, "550 5.1.1 No such mailbox here");
                } else {
                    to.push(address);
                    say(&mut out, "250 OK");
                }
            } else if upper == "DATA" {
                say(&mut out, "354 End data with <CR><LF>.<CR><LF>");
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
                let message = Received {
                    to: to.clone(),
                    data,
                };
                let deferred = {
                    let defer = self.defer.lock().unwrap();
                    to.iter().any(|address| defer.contains(address))
                };
                if deferred {
                    self.deferred.lock().unwrap().push(message);
                    say(&mut out, "451 4.3.0 Try again later");
                } else if self.accept_or_hold(message, &out) {
                    say(&mut out, "250 OK queued");
                } else {
                    return;
                }
            } else if upper == "QUIT" {
                say(&mut out, "221 Bye");
                return;
            } else {
                say(&mut out, "250 OK");
            }
        }
    }

    /// Keeps the message, at once or once released; false if the client went away while it
    /// was held (the message is then not delivered).
    fn accept_or_hold(&self, message: Received, stream: &TcpStream) -> bool {
        let held = {
            let mut received = self.received.lock().unwrap();
            match *self.hold_after.lock().unwrap() {
                Some(limit) if received.len() >= limit => true,
                _ => {
                    received.push(message.clone());
                    false
                }
            }
        };
        if !held {
            return true;
        }
        self.holding.fetch_add(1, Ordering::SeqCst);
        let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
        let kept = loop {
            // Nothing more comes from a client waiting for the answer: end of stream means it
            // is gone.
            match stream.peek(&mut [0u8; 1]) {
                Ok(0) => break false,
                Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break false;
                }
                _ => {}
            }
            let mut received = self.received.lock().unwrap();
            if self.hold_after.lock().unwrap().is_none() {
                received.push(message.clone());
                break true;
            }
            drop(received);
            std::thread::sleep(Duration::from_millis(10));
        };
        let _ = stream.set_read_timeout(None);
        self.holding.fetch_sub(1, Ordering::SeqCst);
        kept
    }
}
