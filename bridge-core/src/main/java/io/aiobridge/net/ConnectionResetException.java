package io.aiobridge.net;

import java.net.SocketException;

/**
 * The connection was lost before an operation could finish: asyncio's {@code
 * ConnectionResetError}, for instance from {@code drain()} once the peer has gone.
 */
public class ConnectionResetException extends SocketException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what was lost
     */
    public ConnectionResetException(String message) {
        super(message);
    }
}
