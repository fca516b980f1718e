package io.sluice.transport;

/**
 * A {@code HOST:PORT} pair as users type it ({@code --listen}, {@code --bootstrap}); IPv6 hosts in brackets.
 *
 * @param host name or address, without brackets.
 * @param port 0 to 65535.
 */
public record HostPort(String host, int port)
{
    /**
     * Parse {@code HOST:PORT}.
     *
     * @param text such as {@code localhost:9494}, {@code 10.0.0.7:9494} or {@code [::1]:9494}.
     * @return the pair.
     * @throws IllegalArgumentException naming the problem.
     */
    public static HostPort parse(final String text)
    {
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("expected HOST:PORT, got nothing");
        }
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0)
        {
            throw new IllegalArgumentException("put an IPv6 host in brackets, as in [::1]:9494: '" + text + "'");
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("port is not a number in '" + text + "'");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 0 to 65535 in '" + text + "'");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
