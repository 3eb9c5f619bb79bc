package io.tributary.protocol.ds.subscription;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Which webhook URLs the server may send to (server-side request forgery guard). A URL must be
 * {@code http} or {@code https} without user info, and every address its host resolves to must be
 * allowed: by its class ({@code loopback}, {@code private}, {@code public}) or by a CIDR range in
 * the allow list. Link-local, unspecified, multicast and other special addresses are only allowed
 * by an explicit range. The default allows loopback only.
 *
 * <p>Checked when a subscription is made and again before every delivery (a name may resolve
 * differently by then).
 */
public final class WebhookTargets {
  /** The default allow list: the receiver must run on this host. */
  public static final String DEFAULT_ALLOWED = "loopback";

  private enum AddressClass {
    LOOPBACK,
    PRIVATE,
    PUBLIC,
    SPECIAL
  }

  private record Range(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final Set<AddressClass> classes;
  private final List<Range> ranges;
  private final String spec;
  private final Function<String, InetAddress[]> resolver;

  private WebhookTargets(
      Set<AddressClass> classes, List<Range> ranges, String spec, Function<String, InetAddress[]> resolver) {
    this.classes = classes;
    this.ranges = ranges;
    this.spec = spec;
    this.resolver = resolver;
  }

  /**
   * Parses an allow list: comma-separated {@code loopback}, {@code private} (RFC 1918, CGNAT
   * 100.64/10, IPv6 unique-local), {@code public} (everything not special) and CIDR ranges such as
   * {@code 10.1.0.0/16} or {@code fd00::/8}.
   *
   * @throws IllegalArgumentException for an empty list or an entry that is none of these
   */
  public static WebhookTargets parse(String allowList) {
    return parse(allowList, WebhookTargets::resolve);
  }

  static WebhookTargets parse(String allowList, Function<String, InetAddress[]> resolver) {
    var classes = java.util.EnumSet.noneOf(AddressClass.class);
    var ranges = new ArrayList<Range>();
    for (var raw : allowList.split(",")) {
      var entry = raw.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      switch (entry) {
        case "loopback" -> classes.add(AddressClass.LOOPBACK);
        case "private" -> classes.add(AddressClass.PRIVATE);
        case "public" -> classes.add(AddressClass.PUBLIC);
        default -> ranges.add(range(entry));
      }
    }
    if (classes.isEmpty() && ranges.isEmpty()) {
      throw new IllegalArgumentException(
          "webhook allowed targets must name at least one of loopback, private, public or a CIDR range");
    }
    return new WebhookTargets(classes, List.copyOf(ranges), allowList.strip(), resolver);
  }

  /**
   * Why the server must not send to {@code url}, or null when it may. Resolves the host name.
   */
  public String refusal(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "webhook.url is not a valid URL";
    }
    var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "webhook.url must use http or https";
    }
    if (uri.getRawUserInfo() != null) {
      return "webhook.url must not carry user info";
    }
    var host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return "webhook.url has no host";
    }
    var bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    var addresses = resolver.apply(bare);
    if (addresses == null || addresses.length == 0) {
      return "webhook.url host '" + host + "' does not resolve";
    }
    for (var address : addresses) {
      if (!allowed(address)) {
        return "webhook.url host '" + host + "' resolves to " + address.getHostAddress()
            + ", a " + classOf(address).name().toLowerCase(Locale.ROOT)
            + " address this server does not send to (allowed: " + spec + ")";
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return spec;
  }

  private boolean allowed(InetAddress address) {
    var bytes = address.getAddress();
    for (var r : ranges) {
      if (r.contains(bytes)) {
        return true;
      }
    }
    return classes.contains(classOf(address));
  }

  private static AddressClass classOf(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return AddressClass.LOOPBACK;
    }
    if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()) {
      return AddressClass.SPECIAL;
    }
    var b = a.getAddress();
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (a instanceof Inet4Address) {
      if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)
          || (b0 == 100 && b1 >= 64 && b1 <= 127)) {
        return AddressClass.PRIVATE;
      }
      // 0/8 "this network", 192.0.0/24 protocol assignments, 198.18/15 benchmarking, 240/4 reserved
      if (b0 == 0 || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) || (b0 == 198 && (b1 == 18 || b1 == 19))
          || b0 >= 240) {
        return AddressClass.SPECIAL;
      }
      return AddressClass.PUBLIC;
    }
    if (a instanceof Inet6Address) {
      if ((b0 & 0xfe) == 0xfc) {
        return AddressClass.PRIVATE;
      }
      // site-local (deprecated), IPv4-compatible and discard-only ranges: never a public receiver
      if (a.isSiteLocalAddress() || isAllZeroPrefix(b) || (b0 == 0x01 && b1 == 0)) {
        return AddressClass.SPECIAL;
      }
      return AddressClass.PUBLIC;
    }
    return AddressClass.SPECIAL;
  }

  private static boolean isAllZeroPrefix(byte[] b) {
    for (int i = 0; i < 12; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "webhook allowed target '" + entry + "' is not loopback, private, public or a CIDR range");
    }
    var ip = entry.substring(0, slash);
    if (!ip.matches("[0-9a-f:.]+")) {
      throw new IllegalArgumentException("webhook allowed target '" + entry + "' is not an IP range");
    }
    byte[] network;
    try {
      // a literal, so this never asks DNS
      network = InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("webhook allowed target '" + entry + "' is not an IP range");
    }
    int bits;
    try {
      bits = Integer.parseInt(entry.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("webhook allowed target '" + entry + "' has no prefix length");
    }
    if (bits < 0 || bits > network.length * 8) {
      throw new IllegalArgumentException("webhook allowed target '" + entry + "' has a bad prefix length");
    }
    return new Range(network, bits);
  }

  private static InetAddress[] resolve(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
