package io.sluice.transport;

import io.sluice.codecs.client.ErrorCode;

/**
 * A request the broker refused, or a broker that could not be reached or stopped answering. The message is one
 * line fit for a user.
 */
public final class SluiceClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * @param errorCode from the broker, or {@code null} when there was no answer.
     * @param message   one line for the user.
     */
    public SluiceClientException(final ErrorCode errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    /**
     * The broker's error code.
     *
     * @return the code, or {@code null} when the broker did not answer.
     */
    public ErrorCode errorCode()
    {
        return errorCode;
    }
}
