package io.sluice.connect;

/**
 * A record that cannot be converted or transformed: handled by the connector's error policy
 * ({@code errors.tolerance}), never retried.
 */
public final class DataException extends RuntimeException
{
    /**
     * @param message what is wrong with the record.
     */
    public DataException(final String message)
    {
        super(message);
    }
}
