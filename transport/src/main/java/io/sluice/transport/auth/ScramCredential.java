package io.sluice.transport.auth;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.StringPreparation;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * What a broker keeps of a user's password for SCRAM-SHA-256 (RFC 5802, RFC 7677): the salt, the iteration count,
 * and the stored and server keys derived from the salted password. The password itself is not kept, and cannot be
 * recovered from these; a client proves it knows it without sending it.
 * <p>
 * One line of a credentials file: {@code USER=SCRAM-SHA-256:ITERATIONS:SALT:STORED_KEY:SERVER_KEY}, the last three in
 * base64.
 *
 * @param iterations of PBKDF2 over the password.
 * @param salt       random, per user.
 * @param storedKey  H(HMAC(salted password, "Client Key")).
 * @param serverKey  HMAC(salted password, "Server Key").
 */
public record ScramCredential(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey)
{
    /** The one mechanism Sluice speaks. */
    public static final String MECHANISM = "SCRAM-SHA-256";
    /** RFC 7677's minimum is 4096; Sluice's default is higher. */
    public static final int MIN_ITERATIONS = 4096;
    /** The most iterations taken, by a client from a broker and in a credential: PBKDF2 cost is linear in them. */
    public static final int MAX_ITERATIONS = 1_000_000;
    /** The iterations of new credentials, by default. */
    public static final int DEFAULT_ITERATIONS = 8192;
    /** User names: letters, digits and {@code . _ - @}, so that they need no SCRAM escaping. */
    public static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");

    static final ScramMechanism SCRAM = ScramMechanism.SCRAM_SHA_256;
    static final StringPreparation PREPARATION = StringPreparation.SASL_PREPARATION;

    public ScramCredential
    {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS)
        {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS + ": " +
                iterations);
        }
        if (salt.length < 16 || storedKey.length != 32 || serverKey.length != 32)
        {
            throw new IllegalArgumentException("a SCRAM-SHA-256 credential needs a salt of at least 16 bytes and " +
                "keys of 32 bytes");
        }
    }

    /**
     * @param password   the user's password; not kept.
     * @param iterations of PBKDF2.
     * @param random     for the salt.
     * @return the credential.
     */
    public static ScramCredential create(final char[] password, final int iterations, final SecureRandom random)
    {
        if (password.length == 0)
        {
            throw new IllegalArgumentException("the password is empty");
        }
        final byte[] salt = ScramFunctions.salt(24, random);
        final byte[] salted = ScramFunctions.saltedPassword(SCRAM, PREPARATION, password, salt, iterations);
        final byte[] storedKey = ScramFunctions.storedKey(SCRAM, ScramFunctions.clientKey(SCRAM, salted));
        final byte[] serverKey = ScramFunctions.serverKey(SCRAM, salted);
        Arrays.fill(salted, (byte)0);
        return new ScramCredential(iterations, salt, storedKey, serverKey);
    }

    /**
     * What a client checks of the broker's server-first message before it spends PBKDF2 on it: that it parses, and
     * asks for no more than {@link #MAX_ITERATIONS} (a broker, or an impostor, asking for billions would hold the
     * client's thread for hours).
     *
     * @param serverFirst the broker's message.
     * @param clientNonce the nonce the client sent.
     * @throws com.ongres.scram.common.exception.ScramParseException if it does not parse.
     * @throws IllegalArgumentException                               if it asks for too many iterations.
     */
    public static void checkServerFirst(final String serverFirst, final String clientNonce)
        throws com.ongres.scram.common.exception.ScramParseException
    {
        final int iterations = com.ongres.scram.common.ServerFirstMessage.parseFrom(serverFirst, clientNonce)
            .getIterationCount();
        if (iterations > MAX_ITERATIONS)
        {
            throw new IllegalArgumentException("the broker asks for " + iterations + " iterations, more than " +
                MAX_ITERATIONS);
        }
    }

    /**
     * @return the value of a credentials file's line.
     */
    public String encode()
    {
        final Base64.Encoder base64 = Base64.getEncoder();
        return MECHANISM + ":" + iterations + ":" + base64.encodeToString(salt) + ":" +
            base64.encodeToString(storedKey) + ":" + base64.encodeToString(serverKey);
    }

    /**
     * @param text the value of a credentials file's line.
     * @return the credential.
     * @throws IllegalArgumentException saying what is wrong (never echoing the keys).
     */
    public static ScramCredential parse(final String text)
    {
        final String[] parts = text.trim().split(":");
        if (parts.length != 5 || !MECHANISM.equals(parts[0]))
        {
            throw new IllegalArgumentException("not " + MECHANISM + ":ITERATIONS:SALT:STORED_KEY:SERVER_KEY");
        }
        try
        {
            final Base64.Decoder base64 = Base64.getDecoder();
            return new ScramCredential(Integer.parseInt(parts[1]), base64.decode(parts[2]), base64.decode(parts[3]),
                base64.decode(parts[4]));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("a bad " + MECHANISM + " credential: " + ex.getMessage(), ex);
        }
    }

    public boolean equals(final Object other)
    {
        return other instanceof ScramCredential that && iterations == that.iterations &&
            Arrays.equals(salt, that.salt) && Arrays.equals(storedKey, that.storedKey) &&
            Arrays.equals(serverKey, that.serverKey);
    }

    public int hashCode()
    {
        return 31 * iterations + Arrays.hashCode(storedKey);
    }

    public String toString()
    {
        return "ScramCredential{" + MECHANISM + ", iterations=" + iterations + "}";
    }
}
