package io.sluice.engine;

/**
 * The storage under a log cannot be used: a data directory that is missing, not writable or locked by another
 * process, a file that cannot be created or mapped, or a device that is full.
 */
public final class LogStorageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Describe a storage failure.
     *
     * @param message what failed, naming the path.
     * @param cause   the underlying exception, or null.
     */
    public LogStorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * Describe a storage failure.
     *
     * @param message what failed, naming the path.
     */
    public LogStorageException(final String message)
    {
        super(message);
    }

    static boolean isDiskFull(final Throwable ex)
    {
        for (Throwable t = ex; null != t; t = t.getCause())
        {
            final String message = t.getMessage();
            if (null != message && (message.contains("No space left") || message.contains("Disk quota exceeded")))
            {
                return true;
            }
        }
        return false;
    }
}
