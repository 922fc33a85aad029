/*
 * The "instant" RADIUS responder of bench/radius/client-vs-naive.ts: answers every Access-Request
 * with an Access-Accept as cheaply as a correct server can, so the client under test is what the
 * benchmark measures. The reply carries a Message-Authenticator (first) and a Session-Timeout,
 * signed with the request's authenticator (RFC 2865 §3, RFC 3579 §3.2). No verification of the
 * request: it is a load generator's echo, not a server.
 *
 *   gcc -O2 -o instant-responder instant-responder.c -lcrypto
 *   ./instant-responder <secret>       # prints its port on stdout; exits when stdin closes
 *
 * Datagrams are read and written in batches (recvmmsg/sendmmsg) to keep its own CPU per reply
 * small on a machine whose cores the client shares.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DATAGRAM 4096
#define REPLY_LENGTH 44 /* header 20 + Message-Authenticator 18 + Session-Timeout 6 */

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <secret>\n", argv[0]);
    return 2;
  }
  const unsigned char *secret = (const unsigned char *)argv[1];
  const size_t secret_length = strlen(argv[1]);
  if (secret_length == 0 || secret_length > 256) {
    fprintf(stderr, "the secret must be 1..256 octets\n");
    return 2;
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int buffer = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) { perror("bind"); return 1; }
  socklen_t address_length = sizeof address;
  getsockname(fd, (struct sockaddr *)&address, &address_length);
  printf("%d\n", ntohs(address.sin_port));
  fflush(stdout);

  static unsigned char in[BATCH][MAX_DATAGRAM];
  static unsigned char out[BATCH][REPLY_LENGTH + 256];
  static struct sockaddr_in sources[BATCH];
  struct iovec in_iov[BATCH], out_iov[BATCH];
  struct mmsghdr in_msgs[BATCH], out_msgs[BATCH];
  for (int i = 0; i < BATCH; i++) {
    in_iov[i] = (struct iovec){.iov_base = in[i], .iov_len = MAX_DATAGRAM};
    in_msgs[i].msg_hdr = (struct msghdr){.msg_name = &sources[i], .msg_namelen = sizeof sources[i], .msg_iov = &in_iov[i], .msg_iovlen = 1};
  }

  struct pollfd watched[2] = {{.fd = fd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
  for (;;) {
    if (poll(watched, 2, -1) < 0) continue;
    if (watched[1].revents != 0) {
      char scratch[64];
      if (read(STDIN_FILENO, scratch, sizeof scratch) <= 0) return 0; /* the parent is gone */
    }
    if ((watched[0].revents & POLLIN) == 0) continue;
    for (int i = 0; i < BATCH; i++) in_msgs[i].msg_hdr.msg_namelen = sizeof sources[i];
    int received = recvmmsg(fd, in_msgs, BATCH, MSG_DONTWAIT, NULL);
    if (received <= 0) continue;
    int replies = 0;
    for (int i = 0; i < received; i++) {
      const unsigned char *request = in[i];
      if (in_msgs[i].msg_len < 20 || request[0] != 1) continue;
      unsigned char *reply = out[replies];
      reply[0] = 2; /* Access-Accept */
      reply[1] = request[1];
      reply[2] = REPLY_LENGTH >> 8;
      reply[3] = REPLY_LENGTH & 0xff;
      memcpy(reply + 4, request + 4, 16); /* the Request Authenticator, as both digests need */
      reply[20] = 80; /* Message-Authenticator */
      reply[21] = 18;
      memset(reply + 22, 0, 16);
      reply[38] = 27; /* Session-Timeout 3600 */
      reply[39] = 6;
      reply[40] = 0; reply[41] = 0; reply[42] = 0x0e; reply[43] = 0x10;
      unsigned int mac_length = 16;
      HMAC(EVP_md5(), secret, (int)secret_length, reply, REPLY_LENGTH, reply + 22, &mac_length);
      memcpy(reply + REPLY_LENGTH, secret, secret_length);
      MD5(reply, REPLY_LENGTH + (secret_length), reply + 4);
      out_iov[replies] = (struct iovec){.iov_base = reply, .iov_len = REPLY_LENGTH};
      out_msgs[replies].msg_hdr = (struct msghdr){.msg_name = &sources[i], .msg_namelen = sizeof sources[i], .msg_iov = &out_iov[replies], .msg_iovlen = 1};
      replies++;
    }
    for (int sent = 0; sent < replies;) {
      int now = sendmmsg(fd, out_msgs + sent, replies - sent, 0);
      if (now <= 0) break;
      sent += now;
    }
  }
}
