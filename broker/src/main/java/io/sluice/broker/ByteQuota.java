package io.sluice.broker;

/**
 * A token bucket of bytes per second for one client connection: up to a second's worth may be taken at once, and a
 * request is taken while the bucket is not in debt, so one large request can overdraw it and the next waits until
 * it has paid off. Owned by the broker agent; allocation-free.
 */
final class ByteQuota
{
    private final long bytesPerSecond;
    private double tokens;
    private long lastNs;

    /**
     * @param bytesPerSecond the rate; -1 for no quota.
     * @param nowNs          time now.
     */
    ByteQuota(final long bytesPerSecond, final long nowNs)
    {
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
        this.lastNs = nowNs;
    }

    /**
     * @param nowNs time now.
     * @return true if a request may be taken now.
     */
    boolean allows(final long nowNs)
    {
        if (bytesPerSecond < 0)
        {
            return true;
        }
        tokens = Math.min(bytesPerSecond, tokens + (nowNs - lastNs) * 1e-9 * bytesPerSecond);
        lastNs = nowNs;
        return tokens >= 0;
    }

    /**
     * @param bytes taken.
     */
    void take(final int bytes)
    {
        if (bytesPerSecond >= 0)
        {
            tokens -= bytes;
        }
    }
}
