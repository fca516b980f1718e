package io.sluice.connect;

/**
 * A failure that may pass: the runtime retries the same work after a backoff, up to {@code errors.retry.timeout.ms}.
 */
public class RetriableException extends RuntimeException
{
    /**
     * @param message what failed.
     * @param cause   why.
     */
    public RetriableException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * @param message what failed.
     */
    public RetriableException(final String message)
    {
        super(message);
    }
}
