import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './auth/session-queries.ts';
import { ErrorAlert } from './shell/error-alert.tsx';
import { PageLoader } from './shell/page-state.tsx';

// One chunk per page: a reader of the audit log never downloads the register forms.
const SignInPage = lazy(() => import('./auth/sign-in-page.tsx'));
const SetupPage = lazy(() => import('./auth/setup-page.tsx'));
const InvitationPage = lazy(() => import('./auth/invitation-page.tsx'));
const ConsoleLayout = lazy(() => import('./layout/console-layout.tsx'));
const DashboardPage = lazy(() => import('./dashboard/dashboard-page.tsx'));
const CatalogPage = lazy(() => import('./catalog/catalog-page.tsx'));
const RegistersPage = lazy(() => import('./registers/registers-page.tsx'));
const FindingsPage = lazy(() => import('./findings/findings-page.tsx'));
const EvidencePage = lazy(() => import('./evidence/evidence-page.tsx'));
const AuditPage = lazy(() => import('./audit/audit-page.tsx'));
const UsersPage = lazy(() => import('./users/users-page.tsx'));

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <PageLoader />;
  if (session.isError) return <ErrorAlert error={session.error} />;
  if (session.data === null) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return <ConsoleLayout />;
}

export function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/setup/:token" element={<SetupPage />} />
          <Route path="/invitation/:token" element={<InvitationPage />} />
          <Route element={<RequireSession />}>
            <Route index element={<DashboardPage />} />
            <Route path="catalog" element={<CatalogPage />} />
            <Route path="registers/:register?" element={<RegistersPage />} />
            <Route path="findings/:findingId?" element={<FindingsPage />} />
            <Route path="evidence" element={<EvidencePage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
