package io.sluice.transport.controller;

import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2ObjectHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * The secret a cluster's brokers share, and the challenge-response it makes of joining the controller quorum: a
 * broker's session names the broker; the quorum answers with a random challenge; the broker proves it holds the
 * secret with an HMAC-SHA256 of the challenge and its name, and the quorum authenticates the session, or rejects it.
 * The secret never crosses the wire, and a recorded answer is worth nothing for the next challenge. This is Aeron
 * Cluster's authenticator hook ({@link Authenticator}, {@link CredentialsSupplier}): nothing of the consensus is
 * Sluice's.
 */
public final class ClusterSecret
{
    /** Shortest secret taken, in characters. */
    public static final int MIN_LENGTH = 16;
    private static final String PURPOSE = "sluice-controller-session";
    private static final int CHALLENGE_BYTES = 32;

    private final byte[] key;

    private ClusterSecret(final byte[] key)
    {
        this.key = key;
    }

    /**
     * @param file whose first line is the secret (at least {@value #MIN_LENGTH} characters).
     * @return the secret.
     * @throws IllegalArgumentException if it is missing or too short.
     */
    public static ClusterSecret read(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the cluster secret file " + file + ": " + ex.getMessage(), ex);
        }
        final String secret = lines.isEmpty() ? "" : lines.get(0).strip();
        if (secret.length() < MIN_LENGTH)
        {
            throw new IllegalArgumentException("the cluster secret in " + file + " must have at least " + MIN_LENGTH +
                " characters");
        }
        return of(secret);
    }

    /**
     * @param secret at least {@value #MIN_LENGTH} characters.
     * @return the secret.
     */
    public static ClusterSecret of(final String secret)
    {
        if (secret.length() < MIN_LENGTH)
        {
            throw new IllegalArgumentException("a cluster secret must have at least " + MIN_LENGTH + " characters");
        }
        return new ClusterSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param challenge the quorum's random bytes.
     * @param name      the session's name ({@code broker-<node id>}).
     * @return the proof.
     */
    byte[] prove(final byte[] challenge, final byte[] name)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(PURPOSE.getBytes(StandardCharsets.US_ASCII));
            mac.update(challenge);
            mac.update(name);
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    /**
     * The proof that a replication stream is a broker's: an HMAC-SHA256 under the secret of the challenger's nonce, the
     * stream's Aeron session, the broker proving and the challenger.
     *
     * @param nonce      32 random bytes from the challenger.
     * @param sessionId  of the stream proven.
     * @param prover     the broker whose stream it is.
     * @param challenger the broker that receives the stream.
     * @return 32 bytes.
     */
    public byte[] proveStream(final byte[] nonce, final int sessionId, final int prover, final int challenger)
    {
        final byte[] bound = java.nio.ByteBuffer.allocate(12).putInt(sessionId).putInt(prover).putInt(challenger)
            .array();
        final byte[] joined = Arrays.copyOf(nonce, nonce.length + bound.length);
        System.arraycopy(bound, 0, joined, nonce.length, bound.length);
        return prove(joined, "sluice-replication-stream".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param nodeId of the broker joining the quorum.
     * @return what its controller session answers with.
     */
    public CredentialsSupplier credentials(final int nodeId)
    {
        final byte[] name = ("broker-" + nodeId).getBytes(StandardCharsets.US_ASCII);
        return new CredentialsSupplier()
        {
            public byte[] encodedCredentials()
            {
                return name.clone();
            }

            public byte[] onChallenge(final byte[] encodedChallenge)
            {
                return prove(encodedChallenge, name);
            }
        };
    }

    /**
     * @return for each quorum member's consensus module: challenges every session, authenticates only the proven.
     */
    public AuthenticatorSupplier authenticator()
    {
        return () -> new ChallengingAuthenticator(this);
    }

    /**
     * One per consensus module; called on its agent thread only.
     */
    static final class ChallengingAuthenticator implements Authenticator
    {
        private static final class Pending
        {
            final byte[] name;
            byte[] challenge;
            byte[] answer;

            Pending(final byte[] name)
            {
                this.name = name;
            }
        }

        private final ClusterSecret secret;
        private final SecureRandom random = new SecureRandom();
        private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();

        ChallengingAuthenticator(final ClusterSecret secret)
        {
            this.secret = secret;
        }

        public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            pending.put(sessionId, new Pending(encodedCredentials.clone()));
        }

        public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            final Pending session = pending.get(sessionId);
            if (null != session)
            {
                session.answer = encodedCredentials.clone();
            }
        }

        public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final Pending session = pending.get(sessionProxy.sessionId());
            if (null == session || session.name.length == 0 || session.name.length > 64)
            {
                pending.remove(sessionProxy.sessionId());
                sessionProxy.reject();
                return;
            }
            if (null == session.challenge)
            {
                session.challenge = new byte[CHALLENGE_BYTES];
                random.nextBytes(session.challenge);
            }
            sessionProxy.challenge(session.challenge); // false: tried again on the next call
        }

        public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final Pending session = pending.get(sessionProxy.sessionId());
            if (null == session)
            {
                sessionProxy.reject();
                return;
            }
            if (null == session.answer)
            {
                return; // not answered yet; the consensus module times the session out if it never is
            }
            pending.remove(sessionProxy.sessionId());
            if (MessageDigest.isEqual(session.answer, secret.prove(session.challenge, session.name)))
            {
                sessionProxy.authenticate(session.name);
            }
            else
            {
                Arrays.fill(session.answer, (byte)0);
                sessionProxy.reject();
            }
        }
    }
}
