package io.sluice.transport.auth;

import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramParseException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The broker's side of one SCRAM-SHA-256 exchange (RFC 5802): {@link #first} takes the client-first message and
 * answers the server-first (the nonce, the user's salt and iterations); {@link #last} takes the client-final message,
 * checks its proof against the stored key and answers the server-final (the server's signature, which proves to the
 * client that the broker holds its credential). Channel binding is not offered. An unknown user gets a made-up salt
 * and fails at the proof, as a wrong password does, so that the answers do not tell which users exist. Not
 * thread-safe: one per connection, on the broker's agent thread.
 */
public final class ScramServer
{
    /** Bytes of the server's part of the nonce. */
    private static final int NONCE_LENGTH = 24;
    private static final String NO_BINDING_HEADER = "n,,";

    private final Function<String, ScramCredential> credentials;
    private final SecureRandom random;
    private final byte[] fakeSaltSecret;
    private ClientFirstMessage clientFirst;
    private String clientFirstBare;
    private ServerFirstMessage serverFirst;
    private ScramCredential credential;
    private String user;
    private boolean done;

    /**
     * @param credentials    the credential of a user name, or null for none.
     * @param random         for nonces.
     * @param fakeSaltSecret the broker's secret for the salts of unknown users.
     */
    public ScramServer(
        final Function<String, ScramCredential> credentials, final SecureRandom random, final byte[] fakeSaltSecret)
    {
        this.credentials = credentials;
        this.random = random;
        this.fakeSaltSecret = fakeSaltSecret;
    }

    /**
     * @param mechanism the client's.
     * @param message   the client-first message.
     * @return the server-first message.
     * @throws AuthenticationException if the mechanism is not SCRAM-SHA-256, the message is malformed, asks for
     *                                 channel binding or another authorization identity, or comes twice.
     */
    public String first(final String mechanism, final String message) throws AuthenticationException
    {
        if (null != clientFirst || done)
        {
            throw new AuthenticationException("a second client-first message");
        }
        if (!ScramCredential.MECHANISM.equals(mechanism))
        {
            throw new AuthenticationException("mechanism " + mechanism + " is not offered: only " +
                ScramCredential.MECHANISM);
        }
        final ClientFirstMessage parsed;
        try
        {
            parsed = ClientFirstMessage.parseFrom(message);
        }
        catch (final ScramParseException | IllegalArgumentException ex)
        {
            throw new AuthenticationException("a malformed client-first message");
        }
        if (!message.startsWith(NO_BINDING_HEADER))
        {
            throw new AuthenticationException("channel binding and authorization identities are not supported");
        }
        final String name = parsed.getUsername();
        if (!ScramCredential.USER_NAME.matcher(name).matches())
        {
            throw new AuthenticationException("a user name of letters, digits and . _ - @ is expected");
        }
        final ScramCredential known = credentials.apply(name);
        credential = null != known ? known : fakeCredential(name);
        clientFirst = parsed;
        clientFirstBare = message.substring(NO_BINDING_HEADER.length());
        user = name;
        serverFirst = new ServerFirstMessage(parsed.getClientNonce(), ScramFunctions.nonce(NONCE_LENGTH, random),
            Base64.getEncoder().encodeToString(credential.salt()), credential.iterations());
        return serverFirst.toString();
    }

    /**
     * @param message the client-final message.
     * @return the server-final message; the client is authenticated as {@link #user()}.
     * @throws AuthenticationException if the message is malformed, out of turn, for another nonce, or its proof is
     *                                 wrong (an unknown user or a wrong password).
     */
    public String last(final String message) throws AuthenticationException
    {
        if (null == clientFirst || done)
        {
            throw new AuthenticationException("a client-final message out of turn");
        }
        done = true;
        final int proofAt = message.lastIndexOf(",p=");
        if (proofAt < 0)
        {
            throw new AuthenticationException("a client-final message without a proof");
        }
        final String withoutProof = message.substring(0, proofAt);
        final String expectedStart = "c=" + Base64.getEncoder().encodeToString(
            NO_BINDING_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + serverFirst.getNonce();
        if (!withoutProof.equals(expectedStart))
        {
            throw new AuthenticationException("a client-final message with other binding data or another nonce");
        }
        final byte[] proof;
        try
        {
            proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AuthenticationException("a client-final message whose proof is not base64");
        }
        final String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        if (proof.length != credential.storedKey().length ||
            !ScramFunctions.verifyClientProof(ScramCredential.SCRAM, proof, credential.storedKey(), authMessage))
        {
            throw new AuthenticationException("authentication of " + user + " failed");
        }
        return new ServerFinalMessage(
            ScramFunctions.serverSignature(ScramCredential.SCRAM, credential.serverKey(), authMessage)).toString();
    }

    /**
     * @return the user name the client gave, once it gave one.
     */
    public String user()
    {
        return user;
    }

    private ScramCredential fakeCredential(final String name)
    {
        final byte[] digest = ScramFunctions.hmac(ScramCredential.SCRAM, fakeSaltSecret,
            name.getBytes(StandardCharsets.UTF_8));
        final byte[] unguessable = new byte[32]; // no proof matches it
        random.nextBytes(unguessable);
        return new ScramCredential(ScramCredential.DEFAULT_ITERATIONS, java.util.Arrays.copyOf(digest, 24),
            unguessable, new byte[32]);
    }

    /**
     * Why an exchange failed: the broker answers {@code AUTHENTICATION_FAILED} with the message and closes the
     * connection.
     */
    public static final class AuthenticationException extends Exception
    {
        private static final long serialVersionUID = 1L;

        /**
         * @param message for the client and the log; never a key.
         */
        public AuthenticationException(final String message)
        {
            super(message, null, false, false);
        }
    }
}
