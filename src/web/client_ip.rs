//! The client's address, for the sign-in limiter and the audit log: the connection's own,
//! or behind a trusted reverse proxy (ROSTER_TRUSTED_PROXIES), the nearest address in
//! X-Forwarded-For that is not one of the trusted proxies. A header from anyone else is
//! ignored: a client cannot choose its own address.

use actix_web::HttpRequest;
use ipnet::IpNet;
use std::net::IpAddr;

pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it got the request from: read from the right, past
    // our own proxies. Something unreadable stops the walk at the last address known good.
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}
