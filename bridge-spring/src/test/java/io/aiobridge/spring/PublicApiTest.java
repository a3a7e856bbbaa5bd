package io.aiobridge.spring;

import io.aiobridge.testing.PublicApi;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module's public API equals the committed api/public-api.txt: an API change shows up as a
 * diff in review. After an intended change: {@code -Dapi.update=true}.
 */
class PublicApiTest {
    @Test
    void thePublicApiIsTheCommittedOne() throws Exception {
        PublicApi.check(Path.of("target/classes"), Path.of("api/public-api.txt"));
    }
}
