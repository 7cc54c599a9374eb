/**
 * The sign-in pages' one stylesheet, inlined under a CSP nonce: no extra request, no
 * `'unsafe-inline'`. Fluent-like: a centred card on a quiet background, 15 px text, one blue
 * primary action, errors in red beside the field they concern; a full-width page on phones.
 */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;
  padding:32px 16px;color:#1b1b1b;font:15px/1.45 "Segoe UI","Segoe UI Web (West European)",-apple-system,
  BlinkMacSystemFont,Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;
  background:radial-gradient(ellipse at 8% 12%,rgba(15,108,189,.18),transparent 46%),
  radial-gradient(ellipse at 92% 88%,rgba(112,72,232,.14),transparent 50%),
  radial-gradient(ellipse at 70% 10%,rgba(0,164,164,.10),transparent 40%),#f3f5f9}
main{width:100%;max-width:440px}
.card{background:#fff;border-radius:10px;padding:40px 44px 36px;
  box-shadow:0 1px 2px rgba(0,0,0,.06),0 8px 28px rgba(16,24,40,.10)}
.brand{display:flex;align-items:center;gap:10px;margin:0 0 22px}
.brand svg{flex:none}
.wordmark{font-size:19px;font-weight:600;letter-spacing:.01em;color:#242424}
.tenant{display:inline-flex;align-items:center;gap:6px;margin:0 0 18px;padding:3px 10px 3px 8px;
  border-radius:999px;background:#f0f4fa;color:#0e4775;font-size:13px;font-weight:600;max-width:100%}
.tenant span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tenant .domain{font-weight:400;color:#4a6a88}
h1{font-size:24px;line-height:1.25;font-weight:600;margin:0 0 6px;color:#1b1b1b;overflow-wrap:anywhere}
.lead{margin:0 0 22px;color:#424242;overflow-wrap:anywhere}
.lead strong{color:#1b1b1b;font-weight:600}
.field{margin:0 0 18px}
label{display:block;margin:0 0 6px;font-size:14px;font-weight:600;color:#242424}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;height:40px;padding:0 12px;
  font:inherit;color:#1b1b1b;background:#fff;border:1px solid #c7c7c7;border-bottom-color:#616161;
  border-radius:4px;transition:border-color .12s,box-shadow .12s}
input:hover{border-color:#a8a8a8;border-bottom-color:#424242}
input:focus{outline:none;border-color:#0f6cbd;box-shadow:inset 0 -2px 0 #0f6cbd}
input[aria-invalid=true]{border-color:#c50f1f;box-shadow:inset 0 -2px 0 #c50f1f}
.code{font:600 22px/1 "DejaVu Sans Mono",Consolas,"Courier New",monospace;letter-spacing:.32em;
  text-align:center;text-transform:uppercase;height:52px!important}
.hint{margin:6px 0 0;font-size:13px;color:#616161}
.alert{display:flex;gap:10px;align-items:flex-start;margin:0 0 20px;padding:10px 12px;border-radius:6px;
  background:#fdf3f4;border:1px solid #eeacb2;color:#960b18;font-size:14px}
.alert svg{flex:none;margin-top:2px}
h1+.alert{margin-top:16px}
.alert .code-ref{display:block;margin-top:2px;color:#a4262c;font-size:12px}
.actions{display:flex;justify-content:flex-end;gap:10px;margin-top:26px}
.actions.split{justify-content:space-between}
button{font:inherit;font-weight:600;min-width:108px;height:36px;padding:0 20px;border-radius:4px;
  cursor:pointer;border:1px solid transparent;transition:background-color .12s,border-color .12s}
button:focus-visible{outline:2px solid #1b1b1b;outline-offset:2px}
.primary{background:#0f6cbd;color:#fff}
.primary:hover{background:#115ea3}
.primary:active{background:#0c3b5e}
.secondary{background:#fff;color:#242424;border-color:#d1d1d1}
.secondary:hover{background:#f5f5f5;border-color:#c7c7c7}
.link{background:none;border:none;min-width:0;height:auto;padding:0;color:#0f6cbd;font-weight:400}
.link:hover{text-decoration:underline;background:none}
.account{display:flex;align-items:center;gap:14px;width:100%;margin:0 0 8px;padding:12px;text-align:left;
  height:auto;background:#fff;border:1px solid #e0e0e0;border-radius:6px;color:#1b1b1b;font-weight:400}
button.account:hover{background:#f5f8fc;border-color:#b4cbe6}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;display:grid;place-items:center;
  background:#dbe9f7;color:#0e4775;font-weight:600;font-size:15px}
.who{min-width:0}
.who strong,.who span{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.who strong{font-weight:600}
.who span{font-size:13px;color:#616161}
.notice{margin:18px 0 0;padding:12px 14px;border-radius:6px;background:#f5f5f5;color:#424242;font-size:13px}
.status{display:grid;place-items:center;width:48px;height:48px;border-radius:50%;margin:0 0 16px}
.status.ok{background:#e7f4e4;color:#0e700e}
.status.bad{background:#fdf3f4;color:#c50f1f}
.status.info{background:#ebf3fc;color:#0f6cbd}
.details{margin:22px 0 0;padding:14px 16px;border-radius:6px;background:#fafafa;border:1px solid #ebebeb;
  font-size:12px;color:#424242}
.details dt{font-weight:600;color:#242424}
.details dd{margin:0 0 8px;font-family:"DejaVu Sans Mono",Consolas,monospace;overflow-wrap:anywhere}
.details dd:last-child{margin-bottom:0}
.spinner{width:28px;height:28px;border-radius:50%;border:3px solid #dbe9f7;border-top-color:#0f6cbd;
  animation:spin .8s linear infinite;margin:4px 0 16px}
@keyframes spin{to{transform:rotate(360deg)}}
footer{margin-top:20px;text-align:center;font-size:12px;color:#616161}
footer span+span::before{content:"·";margin:0 8px;color:#a0a0a0}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
@media (max-width:600px){
  body{justify-content:flex-start;padding:0;background:#fff}
  main{max-width:none}
  .card{border-radius:0;box-shadow:none;padding:28px 24px}
  .actions{flex-direction:column-reverse}
  .actions button{width:100%}
}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation-duration:2s!important}}
`;
