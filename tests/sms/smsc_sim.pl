#!/usr/bin/perl
# smsc_sim.pl PORT [LOG]: a small SMPP 3.4 SMSC on 127.0.0.1 for Kannel's `smsc = smpp` link
# (Debian package libnet-smpp-perl). It answers binds, enquire_link and unbind, and decides
# each submit_sm by the LAST digit of its destination address:
#   9     -> submit_sm_resp with command_status 0x0000000B (invalid destination address):
#            nothing is delivered; Kannel reports DLR 16 (SMSC reject)
#   0     -> accepted; delivery receipt stat:UNDELIV  (Kannel: DLR 8, then 2 = failed)
#   7     -> accepted; delivery receipt stat:EXPIRED  (Kannel: DLR 8, then 2 with the receipt)
#   8     -> accepted; no receipt ever (a message whose fate stays unknown)
#   other -> accepted; delivery receipt stat:DELIVRD  (Kannel: DLR 8, then 1 = delivered)
# A receipt is only sent when the submit_sm asked for one (registered_delivery).
# Every decision is one line on stdout (or LOG), the simulator's own record of what reached
# the SMSC:  "SUBMIT id=<message id> to=<digits> dcs=<data coding> outcome=<DELIVRD|...>".
# One bind at a time (Kannel opens one transceiver); after it closes the next is accepted.
use strict;
use warnings;
use IO::Handle;
use Net::SMPP;
use POSIX qw(strftime);

my $port = shift or die "usage: smsc_sim.pl PORT [LOG]\n";
my $log_path = shift;
my $out = \*STDOUT;
if (defined $log_path) {
    open($out, '>>', $log_path) or die "smsc_sim: cannot write $log_path: $!\n";
}
$out->autoflush(1);

my $listener = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34)
    or die "smsc_sim: cannot listen on 127.0.0.1:$port: $!\n";
print $out "LISTEN 127.0.0.1:$port\n";

use constant {
    CMD_BIND_RECEIVER    => 0x00000001,
    CMD_BIND_TRANSMITTER => 0x00000002,
    CMD_SUBMIT_SM        => 0x00000004,
    CMD_UNBIND           => 0x00000006,
    CMD_BIND_TRANSCEIVER => 0x00000009,
    CMD_ENQUIRE_LINK     => 0x00000015,
    RESPONSE_BIT         => 0x80000000,
    ESME_RINVDSTADR      => 0x0000000B,
    ESME_RINVCMDID       => 0x00000003,
};

my $message_id = 5000000;

sub outcome_for {
    my ($to) = @_;
    my $last = substr($to, -1);
    return 'REJECTED' if $last eq '9';
    return 'UNDELIV'  if $last eq '0';
    return 'EXPIRED'  if $last eq '7';
    return 'NORECEIPT' if $last eq '8';
    return 'DELIVRD';
}

sub receipt_text {
    my ($id, $stat) = @_;
    my $when = strftime('%y%m%d%H%M', gmtime);
    my $delivered = $stat eq 'DELIVRD' ? '001' : '000';
    my $err = $stat eq 'DELIVRD' ? '000' : ($stat eq 'EXPIRED' ? '002' : '001');
    return "id:$id sub:001 dlvrd:$delivered submit date:$when done date:$when stat:$stat err:$err text:";
}

while (my $conn = $listener->accept) {
    print $out "CONNECT\n";
    while (my $pdu = $conn->read_pdu()) {
        my $cmd = $pdu->{cmd};
        my $seq = $pdu->{seq};
        if ($cmd == CMD_BIND_TRANSCEIVER || $cmd == CMD_BIND_TRANSMITTER || $cmd == CMD_BIND_RECEIVER) {
            print $out "BIND system_id=" . ($pdu->{system_id} // '') . "\n";
            $conn->resp_backend($cmd | RESPONSE_BIT, pack('Z*', 'sondeosim'), $conn, seq => $seq);
        } elsif ($cmd == CMD_SUBMIT_SM) {
            my $to = $pdu->{destination_addr} // '';
            my $outcome = outcome_for($to);
            my $dcs = $pdu->{data_coding} // 0;
            if ($outcome eq 'REJECTED') {
                $conn->submit_sm_resp(seq => $seq, status => ESME_RINVDSTADR, message_id => '');
                print $out "SUBMIT id=- to=$to dcs=$dcs outcome=REJECTED\n";
                next;
            }
            my $id = $message_id++;
            $conn->submit_sm_resp(seq => $seq, message_id => $id);
            print $out "SUBMIT id=$id to=$to dcs=$dcs outcome=$outcome\n";
            next if $outcome eq 'NORECEIPT' || !($pdu->{registered_delivery} // 0);
            $conn->deliver_sm(
                source_addr      => $to,
                destination_addr => $pdu->{source_addr} // '',
                esm_class        => 0x04,    # SMSC delivery receipt
                short_message    => receipt_text($id, $outcome),
                async            => 1);
            print $out "RECEIPT id=$id stat=$outcome\n";
        } elsif ($cmd == CMD_ENQUIRE_LINK) {
            $conn->enquire_link_resp(seq => $seq);
        } elsif ($cmd == CMD_UNBIND) {
            $conn->unbind_resp(seq => $seq);
            last;
        } elsif ($cmd & RESPONSE_BIT) {
            # deliver_sm_resp and friends: nothing to do
        } else {
            $conn->generic_nack(seq => $seq, status => ESME_RINVCMDID);
        }
    }
    print $out "DISCONNECT\n";
}
