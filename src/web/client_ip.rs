//! The client's address, for the sign-in limiter and the audit log: the connection's own,
//! or behind a trusted reverse proxy (ROSTER_TRUSTED_PROXIES), the nearest address in
//! X-Forwarded-For that is not one of the trusted proxies. A header from anyone else is
//! ignored: a client cannot choose its own address.

use actix_web::HttpRequest;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    // An IPv4 proxy reaching a dual-stack listener shows as ::ffff:a.b.c.d.
    let peer = req.peer_addr()?.ip().to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it got the request from: read from the right, past
    // our own proxies. Raw bytes, split on commas: a stray non-ASCII byte from the client
    // must not make the proxy's own entries unreadable. Something unreadable stops the walk
    // at the last address known good.
    let hops: Vec<&[u8]> = req
        .headers()
        .get_all("x-forwarded-for")
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// "203.0.113.7", "2001:db8::1", and with a port, "203.0.113.7:443" or "[2001:db8::1]:443".
fn parse_hop(hop: &[u8]) -> Option<IpAddr> {
    let text = std::str::from_utf8(hop).ok()?.trim();
    let ip = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<IpAddr>()
                .ok()
        })?;
    Some(ip.to_canonical())
}

/// What the sign-in limiter counts by: the address, or for IPv6 its /64, which one client
/// usually holds whole (one address each would let it rotate past the limit).
pub fn limiter_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_with_ports_brackets_and_mapped_addresses() {
        assert_eq!(parse_hop(b" 203.0.113.7 "), "203.0.113.7".parse().ok());
        assert_eq!(parse_hop(b"203.0.113.7:443"), "203.0.113.7".parse().ok());
        assert_eq!(parse_hop(b"[2001:db8::1]:443"), "2001:db8::1".parse().ok());
        assert_eq!(parse_hop(b"[2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(parse_hop(b"::ffff:10.0.0.5"), "10.0.0.5".parse().ok());
        assert_eq!(parse_hop(b"\x80"), None);
        assert_eq!(parse_hop(b"unknown"), None);
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(limiter_key(a), limiter_key(b));
        assert_eq!(limiter_key(a), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(limiter_key(v4), v4);
    }
}
