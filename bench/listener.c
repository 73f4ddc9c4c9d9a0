/* bench/listener.c - the start-up floor: the least a server can do before
 * its first answer (bind, listen, accept, reply). bench/run times it with
 * bench/startup.c exactly as it times the real servers.
 *
 *   listener PORT      (127.0.0.1 only; answers every connection with 200) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_port = htons((unsigned short)atoi(argc > 1 ? argv[1] : "0"));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0)
        return 1;
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        char buf[4096];
        if (read(c, buf, sizeof buf) > 0 && write(c, reply, sizeof reply - 1) < 0)
            return 1;
        close(c);
    }
}
