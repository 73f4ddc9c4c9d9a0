/* bench/startup.c - starts a server and times it from exec to its first
 * answered request, then stays its parent until told to stop.
 *
 *   startup PORT TIMEOUT_S CMD [ARGS...]
 *
 * Forks and execs CMD (its stdout goes to our stderr), then connects to 127.0.0.1:PORT and sends `GET /`
 * until some HTTP reply comes back (any status: DynamoDB Local answers 400).
 * Prints "ready_us=N pid=P" on stdout, where N is microseconds from just
 * before fork() to the first reply byte, then waits for the server. SIGTERM
 * or SIGINT to this process is passed on to the server (SIGKILL after 10 s),
 * so bench/run stops every server by one PID it owns. Exits 2 if the server
 * died or did not answer within TIMEOUT_S (it is killed first).
 *
 * Between attempts it waits 100 us rather than spinning: on a 2-core
 * machine a busy loop would take a core from the server it is timing (a JVM
 * starts several threads), and 100 us is far below what is being measured. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long startup_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One attempt: 1 when an HTTP reply arrived, 0 otherwise. */
static int startup_probe(int port)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[8];
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
             send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof req - 1) &&
             recv(fd, buf, 5, MSG_WAITALL) == 5 && memcmp(buf, "HTTP/", 5) == 0;
    close(fd);
    return ok;
}

/* Stops the server: SIGTERM, then SIGKILL after 10 s. Returns its status. */
static int startup_stop(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: startup PORT TIMEOUT_S CMD [ARGS...]\n");
        return 64;
    }
    int port = atoi(argv[1]);
    long long timeout_us = atoll(argv[2]) * 1000000LL;

    /* SIGTERM, SIGINT and SIGCHLD stay blocked and are taken with
     * sigtimedwait/sigwaitinfo: no handler, so no window in which a stop
     * request arriving just after the ready line could be missed. */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGCHLD);
    sigprocmask(SIG_BLOCK, &sigs, &old);
    /* If bench/run dies without stopping us, we still stop the server. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        return 2;

    long long t0 = startup_now_us();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        dup2(2, 1); /* our stdout carries only the ready line */
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    int status;
    const struct timespec pause = {.tv_nsec = 100000};
    while (!startup_probe(port)) {
        int sig = sigtimedwait(&sigs, NULL, &pause);
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "startup: %s exited before answering\n", argv[3]);
            return 2;
        }
        if (sig == SIGTERM || sig == SIGINT || startup_now_us() - t0 > timeout_us) {
            fprintf(stderr, "startup: %s did not answer on port %d\n", argv[3], port);
            startup_stop(pid);
            return 2;
        }
    }
    printf("ready_us=%lld pid=%d\n", startup_now_us() - t0, (int)pid);
    fflush(stdout);

    for (;;) {
        int sig = sigwaitinfo(&sigs, NULL);
        if (sig == SIGTERM || sig == SIGINT) {
            startup_stop(pid);
            return 0;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "startup: %s exited on its own (status %d)\n", argv[3], status);
            return 2;
        }
    }
}
